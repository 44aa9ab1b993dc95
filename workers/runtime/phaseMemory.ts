import type { JobPhase, PhaseMemory } from '../api/jobs';
import type { SessionModels } from './kontextModels';

/**
 * Records what `models` held in each phase of one edit: call enter() as each phase starts (null after the last).
 * What came before (another job, the warm-up) is left out.
 */
export function recordPhaseMemory(models: Pick<SessionModels, 'takeMemorySample'>) {
  const phases: Partial<Record<JobPhase, PhaseMemory>> = {};
  let current: JobPhase | null = null;
  models.takeMemorySample();
  return {
    phases,
    enter(next: JobPhase | null): void {
      if (current) phases[current] = models.takeMemorySample();
      current = next;
    },
  };
}
