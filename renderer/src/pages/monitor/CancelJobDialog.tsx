import { useEffect, useState } from 'react';

import type { Job } from '../../../../shared/api/entities';
import { messageOf } from '../../api/validate-input';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ConsequenceNote } from '../../components/ConsequenceNote';
import { FormError } from '../../components/Field';
import { jobSubject } from '../../components/notices';
import { useDialogAction } from '../../components/use-dialog-action';
import { formatCount } from '../../lib/format';
import { cancelEffect, jobName, jobTargetText } from '../../lib/job-figures';
import { useStation } from '../../state/store-context';

/**
 * Cancelling asks first and says how many devices lose the assignment, as the console does.
 * The count comes from the job's own updates, fetched when the dialog opens.
 */
export function CancelJobDialog({ job, onClose }: { job: Job; onClose: () => void }) {
  const { api, store } = useStation();
  const [effect, setEffect] = useState<ReturnType<typeof cancelEffect> | null>(null);
  const { busy, error, setError, act } = useDialogAction(onClose);
  const name = jobName(job);

  useEffect(() => {
    let live = true;
    api.call('jobs.get', { id: job.id }).then(
      (detail) => {
        if (live) setEffect(cancelEffect(detail.executions));
      },
      (e: unknown) => {
        if (live) setError(`Could not count the job's devices: ${messageOf(e)}`);
      },
    );
    return () => {
      live = false;
    };
  }, [api, job.id, setError]);

  const cancel = () =>
    act(async () => {
      store.putJob(await api.call('jobs.cancel', { id: job.id }));
      return { text: `Job ${name} canceled`, subject: jobSubject(job.id) };
    });

  return (
    <ConfirmDialog
      title={`Cancel job ${name}?`}
      onClose={onClose}
      busy={busy}
      keepLabel="Keep the job"
      onConfirm={() => void cancel()}
      canConfirm={effect !== null}
      icon="canceled"
      confirmLabel="Cancel job"
    >
      <p className="dialog-text">
        {name} to {jobTargetText(job)}.
      </p>
      {effect === null ? (
        !error && <p className="loading-line">Counting the job's devices…</p>
      ) : (
        <ConsequenceNote>
          <p>
            <strong>{formatCount(effect.unassigned, 'device')} will be un-assigned</strong> (not
            started yet or still downloading).
          </p>
          {(effect.installing > 0 || effect.finished > 0) && (
            <p className="muted">
              {effect.installing > 0 &&
                `${formatCount(effect.installing, 'device')} already installing will finish. `}
              {effect.finished > 0 &&
                `${formatCount(effect.finished, 'device')} already done stay as they are.`}
            </p>
          )}
        </ConsequenceNote>
      )}
      <FormError message={error} />
    </ConfirmDialog>
  );
}
