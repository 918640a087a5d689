import { Module } from '@nestjs/common';
import { CustodyController } from './custody.controller.js';
import { CancelTransferHandler, DispatchTransferHandler, GetCustodyTimelineHandler, ReceiveTransferHandler } from './custody.handlers.js';

@Module({
  controllers: [CustodyController],
  providers: [DispatchTransferHandler, ReceiveTransferHandler, CancelTransferHandler, GetCustodyTimelineHandler],
})
export class CustodyModule {}
