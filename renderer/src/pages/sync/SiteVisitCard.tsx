import { useId, useState } from 'react';

import type { CloudStatus, PullSummary } from '../../../../shared/api/entities';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { Icon } from '../../components/Icon';
import { usePageAction } from '../../components/use-dialog-action';
import { useStation } from '../../state/store-context';
import { ActivityLine } from './ActivityLine';
import { describePull } from './sync-words';

/** "Prepare a site visit": the cloud's site onto this laptop, with a progress bar. */
export function SiteVisitCard({
  cloud,
  signedIn,
}: {
  cloud: CloudStatus | null;
  signedIn: boolean;
}) {
  const { api } = useStation();
  const [binaries, setBinaries] = useState(true);
  const { busy: pullRunning, run } = usePageAction();
  const busy = pullRunning !== null;
  const [result, setResult] = useState<PullSummary | null>(null);
  const hintId = useId();
  const pulling = cloud?.activity?.kind === 'PULL' ? cloud.activity : null;
  const otherRunning = cloud?.activity !== null && cloud?.activity !== undefined && !pulling;

  const pull = () => {
    setResult(null);
    return run(
      true,
      async () => {
        const summary = await api.call('cloud.pull', {
          binaries: binaries ? 'ASSIGNED' : 'NONE',
        });
        setResult(summary);
        return summary.error
          ? { text: summary.error, kind: 'info' }
          : 'The site is ready on this laptop';
      },
      'Could not prepare the site visit',
    );
  };

  return (
    <Card title="Prepare a site visit">
      <p className="muted">
        Brings the site from the cloud: device profiles, devices with their access tokens, packages
        and current assignments, so everything works here without a connection.
      </p>
      <label className="check-row">
        <input
          type="checkbox"
          checked={binaries}
          onChange={(e) => setBinaries(e.target.checked)}
          disabled={busy}
          aria-describedby={hintId}
        />
        Download the binaries of assigned packages
      </label>
      <p id={hintId} className="field-hint">
        Each is checked against its checksum. Off: package details only (faster on a slow link).
      </p>
      {pulling && <ActivityLine activity={pulling} label="Site pull progress" />}
      {result && result.packages.failed.length > 0 && (
        <ul className="problem-list" aria-label="Binaries not downloaded">
          {result.packages.failed.map((f) => (
            <li key={`${f.title}@${f.version}`}>
              <Icon name="alert" /> {f.title} {f.version}: {f.error}
            </li>
          ))}
        </ul>
      )}
      {result && (
        <p className={`calm-note${result.error ? ' warning' : ''}`} role="status">
          <Icon name={result.error ? 'alert' : 'updated'} />
          <span>
            {result.error ?? describePull(result)}
            {!result.error && result.warnings.length > 0 && ` ${result.warnings.join(' ')}`}
          </span>
        </p>
      )}
      <div className="form-actions">
        <Button
          icon="pull"
          onClick={() => void pull()}
          disabled={!signedIn || busy || otherRunning}
        >
          {busy ? 'Preparing…' : 'Prepare a site visit'}
        </Button>
        {!signedIn && <p className="field-hint">Sign in to the cloud first.</p>}
      </div>
    </Card>
  );
}
