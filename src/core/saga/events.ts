// Saga events on `saga_events`, exactly as the guide publishes them: {saga_id, step, status, timestamp}.
import { isoNow } from '../envelope/ids';

export const SAGA_CHANNEL = 'saga_events';

export type SagaEventStatus =
  | 'step_completed'
  | 'step_failed'
  | 'step_compensated'
  | 'compensation_failed'
  | 'saga_completed'
  | 'saga_compensated';

export interface SagaEvent {
  saga_id: string;
  step: string;
  status: SagaEventStatus;
  timestamp: string;
}

export function sagaEvent(sagaId: string, step: string, status: SagaEventStatus): SagaEvent {
  return { saga_id: sagaId, step, status, timestamp: isoNow() };
}
