import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { CALL_EVENT_SINK } from '@pbx/call-events';
import { CdrWriter } from '@pbx/cdrs';
import { APP_CONFIG } from '@pbx/config';
import { RecordingRows } from '@pbx/recordings';
import { CallStateFunnel } from './call-state.funnel';

describe('CallStateFunnel wiring', () => {
  const others = [
    { provide: DataSource, useValue: {} },
    { provide: CdrWriter, useValue: {} },
    { provide: APP_CONFIG, useValue: {} },
    { provide: RecordingRows, useValue: {} },
  ];

  it('cannot be built without the webhook outbox (CALL_EVENT_SINK): an app that forgets it does not boot', async () => {
    await expect(Test.createTestingModule({ providers: [CallStateFunnel, ...others] }).compile()).rejects.toThrow(
      /CallStateFunnel.*CALL_EVENT_SINK|CALL_EVENT_SINK/s,
    );
  });

  it('is built with it', async () => {
    const module = await Test.createTestingModule({
      providers: [
        CallStateFunnel,
        ...others,
        { provide: CALL_EVENT_SINK, useValue: { enqueue: async () => undefined } },
      ],
    }).compile();
    expect(module.get(CallStateFunnel)).toBeInstanceOf(CallStateFunnel);
  });
});
