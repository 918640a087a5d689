import { readFileSync } from 'node:fs';
import semver from 'semver';

/**
 * `npm install` on the Node the project declares prints no engine warnings and asks about no install
 * script (docs/decisions/037-install-on-node-20.md). Read from the lockfile, so the test needs no
 * network: the clean-clone check runs the install itself.
 */
interface LockedPackage {
  readonly version?: string;
  readonly engines?: Readonly<Record<string, string>> | readonly string[];
  readonly hasInstallScript?: boolean;
  readonly os?: readonly string[];
  readonly cpu?: readonly string[];
}
interface Manifest {
  readonly engines: { readonly node: string };
  readonly allowScripts?: Readonly<Record<string, boolean>>;
}

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, LockedPackage> };
const installed = Object.entries(lock.packages).filter(([location]) => location !== '');
const nameOf = (location: string) => location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
const runsHere = (locked: LockedPackage) =>
  (!locked.os || locked.os.includes(process.platform)) && (!locked.cpu || locked.cpu.includes(process.arch));

describe('npm install on the declared Node', () => {
  const oldestNode = semver.minVersion(manifest.engines.node);

  it('given the declared engines, when every locked package states the Node it needs, then the oldest declared Node satisfies each', () => {
    expect(oldestNode?.version).toBe('20.19.0');
    const refusing = installed.flatMap(([location, locked]) => {
      const wanted = locked.engines && !Array.isArray(locked.engines) ? (locked.engines as Record<string, string>).node : undefined;
      return wanted && !semver.satisfies(oldestNode ?? '0.0.0', wanted, { includePrerelease: true }) ? [`${nameOf(location)}@${locked.version} wants node ${wanted}`] : [];
    });
    expect(refusing).toEqual([]);
  });

  it('given packages with install scripts, when npm asks which may run, then each that installs on this platform is approved or denied by name', () => {
    const decided = manifest.allowScripts ?? {};
    const undecided = installed.filter(([, locked]) => locked.hasInstallScript && runsHere(locked)).map(([location]) => nameOf(location)).filter((name) => !(name in decided));
    expect(undecided).toEqual([]);
  });
});
