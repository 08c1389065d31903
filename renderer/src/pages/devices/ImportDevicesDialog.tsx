import { useMemo, useRef, useState } from 'react';

import { messageOf } from '../../api/validate-input';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { Field, FormError } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { TableHead } from '../../components/TableHead';
import { useNotifier } from '../../components/Toasts';
import { type DeviceCsvRow, readDeviceCsv } from '../../lib/csv';
import { formatCount } from '../../lib/format';
import { runLimited } from '../../lib/run-limited';
import { useSlice, useStation } from '../../state/store-context';

const PARALLEL_CALLS = 8;
const PREVIEW_ROWS = 6;
const MAX_FILE_BYTES = 20 * 1024 * 1024;

interface Failure {
  line: number;
  message: string;
}

/** Adds devices from `name,profile[,label][,token]` lines, creating missing profiles. */
export function ImportDevicesDialog({ onClose }: { onClose: () => void }) {
  const { api, store } = useStation();
  const { toast } = useNotifier();
  const profiles = useSlice('profiles');
  const devices = useSlice('devices');
  const [text, setText] = useState('');
  const [fileError, setFileError] = useState<string | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [failures, setFailures] = useState<Failure[] | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const stopRef = useRef(false);

  const plan = useMemo(() => {
    const { rows, problems } = readDeviceCsv(text);
    const existingNames = new Set(devices.map((d) => d.name));
    const toAdd: DeviceCsvRow[] = [];
    const skipped: DeviceCsvRow[] = [];
    for (const row of rows) (existingNames.has(row.name) ? skipped : toAdd).push(row);
    const known = new Set(profiles.map((p) => p.name.toLowerCase()));
    const newProfiles = [...new Set(toAdd.map((r) => r.profile))].filter(
      (n) => !known.has(n.toLowerCase()),
    );
    return { toAdd, skipped, problems, newProfiles };
  }, [text, devices, profiles]);

  const readFile = (file: File | undefined) => {
    setFileError(null);
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      setFileError(
        `The file is ${Math.round(file.size / 1e6)} MB; a device list is at most 20 MB.`,
      );
      return;
    }
    file
      .text()
      .then(setText, (e: unknown) => setFileError(`The file could not be read: ${messageOf(e)}`));
  };

  const run = async () => {
    if (plan.toAdd.length === 0 || progress) return;
    stopRef.current = false;
    setFormError(null);
    const failed: Failure[] = [];
    setProgress({ done: 0, total: plan.toAdd.length });
    try {
      // Profiles first, by name, so every row can refer to one.
      const idByName = new Map(profiles.map((p) => [p.name.toLowerCase(), p.id]));
      for (const name of plan.newProfiles) {
        const created = await api.call('profiles.add', { name });
        store.putProfile(created);
        idByName.set(name.toLowerCase(), created.id);
      }
      let done = 0;
      await runLimited(plan.toAdd, PARALLEL_CALLS, async (row) => {
        if (stopRef.current) return;
        try {
          const device = await api.call('devices.add', {
            name: row.name,
            profileId: idByName.get(row.profile.toLowerCase()) ?? '',
            label: row.label,
            ...(row.token ? { accessToken: row.token } : {}),
          });
          store.putDevice(device);
        } catch (error) {
          failed.push({ line: row.line, message: `${row.name}: ${messageOf(error)}` });
        }
        done += 1;
        setProgress({ done, total: plan.toAdd.length });
      });
    } catch (error) {
      setFormError(messageOf(error));
    }
    failed.sort((a, b) => a.line - b.line);
    setFailures(failed);
    setProgress(null);
    const added = plan.toAdd.length - failed.length;
    toast(
      failed.length ? 'error' : 'success',
      `${formatCount(added, 'device')} imported${failed.length ? `, ${failed.length} failed` : ''}`,
    );
    if (failed.length === 0 && !stopRef.current) onClose();
  };

  const running = progress !== null;
  const footer = running ? (
    <Button onClick={() => (stopRef.current = true)}>Stop</Button>
  ) : (
    <>
      <Button onClick={onClose}>{failures ? 'Close' : 'Cancel'}</Button>
      <Button look="primary" icon="upload" submit disabled={plan.toAdd.length === 0}>
        {plan.toAdd.length > 0 ? `Add ${formatCount(plan.toAdd.length, 'device')}` : 'Add devices'}
      </Button>
    </>
  );

  return (
    <Dialog
      title="Import devices from CSV"
      onClose={onClose}
      onSubmit={run}
      busy={running}
      footer={footer}
      wide
    >
      <p className="dialog-text">
        One device a line: <code>name,profile[,label][,token]</code>. A header line is skipped.
        Devices without a token get a generated one; missing device profiles are created.
      </p>
      <fieldset className="form-stack" disabled={running}>
        <legend className="sr-only">Device list</legend>
        <Field label="CSV file" error={fileError ?? undefined}>
          {(props) => (
            <input
              {...props}
              type="file"
              accept=".csv,text/csv,text/plain"
              onChange={(e) => readFile(e.target.files?.[0])}
            />
          )}
        </Field>
        <Field label="Or paste the lines here">
          {(props) => (
            <textarea
              {...props}
              className="mono"
              rows={6}
              spellCheck={false}
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder={'CIM-168-02-22-90,CIM-168,Boiler room\nCIM-168-02-22-91,CIM-168,Roof'}
            />
          )}
        </Field>
      </fieldset>
      {text.trim() !== '' && (
        <div className="import-plan" aria-live="polite">
          <p>
            <strong>{formatCount(plan.toAdd.length, 'device')} to add</strong>
            {plan.skipped.length > 0 &&
              ` · ${plan.skipped.length} already on the station (skipped)`}
            {plan.newProfiles.length > 0 &&
              ` · new device profiles: ${plan.newProfiles.join(', ')}`}
          </p>
          {plan.toAdd.length > 0 && (
            <table className="data-table compact">
              <caption className="sr-only">First lines to import</caption>
              <TableHead columns={['Line', 'Name', 'Device profile', 'Label', 'Token']} />
              <tbody>
                {plan.toAdd.slice(0, PREVIEW_ROWS).map((row) => (
                  <tr key={row.line}>
                    <td className="num">{row.line}</td>
                    <td className="mono">{row.name}</td>
                    <td>{row.profile}</td>
                    <td>{row.label || '—'}</td>
                    <td>{row.token ? 'given' : 'generated'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {plan.toAdd.length > PREVIEW_ROWS && (
            <p className="muted">…and {plan.toAdd.length - PREVIEW_ROWS} more.</p>
          )}
          {plan.problems.length > 0 && (
            <ul className="problem-list" aria-label="Lines that will be skipped">
              {plan.problems.slice(0, 20).map((p) => (
                <li key={p.line}>
                  <Icon name="alert" /> Line {p.line}: {p.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {progress && (
        <div className="upload-progress">
          <div className="upload-figures">
            <span>
              Adding {progress.done.toLocaleString('en-US')} of{' '}
              {progress.total.toLocaleString('en-US')}…
            </span>
          </div>
          <progress max={progress.total} value={progress.done} aria-label="Import progress" />
        </div>
      )}
      {failures && failures.length > 0 && (
        <ul className="problem-list" aria-label="Devices not added">
          {failures.slice(0, 50).map((f) => (
            <li key={f.line}>
              <Icon name="failed" /> Line {f.line}: {f.message}
            </li>
          ))}
        </ul>
      )}
      <FormError message={formError} />
    </Dialog>
  );
}
