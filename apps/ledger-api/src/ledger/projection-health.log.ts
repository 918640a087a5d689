import { Logger } from '@nestjs/common';
import { describeFailureReport, type ProjectionHealth } from '#projections';

/**
 * Logs the read models' failures from their health, wherever the projections run: one error line
 * per failed attempt (the runner's back-off spaces them out, so this never floods), and one line
 * when they recover. Told the same health twice, it says nothing the second time.
 */
export class ProjectionHealthLog {
  private readonly logger = new Logger('Projections');
  private last: ProjectionHealth['failure'];

  observe(health: ProjectionHealth): void {
    const failure = health.failure;
    const previous = this.last;
    this.last = failure;
    if (failure && (failure.attempts !== previous?.attempts || failure.failingSince !== previous.failingSince || failure.stage !== previous.stage)) {
      this.logger.error(describeFailureReport(failure));
    } else if (!failure && previous) {
      this.logger.log(`read models recovered at position ${health.position} after ${previous.attempts} failed attempt(s)`);
    }
  }
}
