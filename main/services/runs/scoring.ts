/**
 * Scores a saved run that is still `awaiting-scores`, in Node, with the shared scoring code the
 * renderer's worker uses, and stores the scores: what `ecoeval evaluate` and `ecoeval report run`
 * do after a job ends, so both score and save a run the same way (and pick the same default
 * metrics for a dataset).
 */
import { saveScoresRequest } from '../../../shared/api/schemas';
import type { RunMetric, RunRecord, TaskKind } from '../../../shared/api/types';
import { scoreRunOutputs } from '../../../shared/evaluation/score-run';
import type { ScoreRunOptions } from '../../../shared/evaluation/score-run';
import { BadRequestError } from '../errors';
import type { RunStore } from './store';

/** Metrics when none are chosen: what the dataset's task is usually scored with. */
export function defaultMetrics(kind: TaskKind): RunMetric[] {
  if (kind === 'summarization') return ['rouge'];
  if (kind === 'language-modelling') return ['perplexity'];
  return ['bleu', 'chrf', 'ter'];
}

/** The run, scored and saved when it was not yet; a complete run is returned as it is. */
export async function scoreSavedRun(
  store: RunStore,
  runId: string,
  options: ScoreRunOptions = {},
): Promise<RunRecord> {
  const record = await store.get(runId);
  if (record.state === 'complete') return record;
  const outputs = await store.outputs(runId);
  let scored;
  try {
    scored = scoreRunOutputs(outputs, record.metrics, options);
  } catch (error) {
    // The run itself is fine and stays (awaiting scores): the app can score it again later.
    throw new BadRequestError(
      `run ${runId} was saved, but scoring it failed: ${(error as Error).message}`,
    );
  }
  // The same boundary check as the API's saveRunScores: a non-finite score never reaches run.json.
  const request = saveScoresRequest.safeParse({ run: runId, ...scored });
  if (!request.success) {
    const issue = request.error.issues[0];
    throw new BadRequestError(
      `run ${runId} was saved, but its scores cannot be stored (${issue.path.join('.') || 'scores'}: ${issue.message})`,
    );
  }
  return store.saveScores(request.data);
}
