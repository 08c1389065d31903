import { type DragEvent, useEffect, useRef, useState } from 'react';

import { ApiError } from '../../../../shared/api/errors';
import { PackageMeta, type PackageMetaInput } from '../../../../shared/api/operations';
import {
  CHECKSUM_ALGORITHMS,
  CHECKSUM_HEX_LENGTH,
  type ChecksumAlgorithm,
  DEFAULT_CHECKSUM_ALGORITHM,
  normalizeChecksum,
} from '../../../../shared/protocol/checksum-algorithms';
import type { OtaPackageType } from '../../../../shared/protocol/ota-keys';
import { type PackageUpload, UploadCancelledError } from '../../api/transport';
import {
  type FieldErrors,
  fieldErrorsOf,
  messageOf,
  schemaProblems,
} from '../../api/validate-input';
import { Button } from '../../components/Button';
import { CancelAndSubmit } from '../../components/CancelAndSubmit';
import { Dialog } from '../../components/Dialog';
import { Field, FormError } from '../../components/Field';
import {
  newProfileProblems,
  ProfileChoice,
  type ProfileChoiceValue,
  profileIdToCheck,
  unchosenProfile,
  useProfileChoice,
} from '../../components/ProfileChoice';
import { SelectField } from '../../components/SelectField';
import { TextField } from '../../components/TextField';
import { useDialogAction } from '../../components/use-dialog-action';
import { formatBytes, formatDuration, formatSpeed } from '../../lib/format';
import { readableFieldErrors } from '../../lib/readable-field-errors';
import { useStation } from '../../state/store-context';
import { PackageTypeField } from './PackageTypeField';

interface UploadState {
  sentBytes: number;
  totalBytes: number;
  startedAt: number;
  now: number;
}

/** Fields the station may name in a refusal, and where each is shown. */
const FORM_FIELDS = new Set(['title', 'version', 'profileId', 'type', 'tag', 'checksum', 'file']);

/** The console's "Add package": Title, Version, Device profile, Package type, and the binary. */
export function AddPackageDialog({
  onClose,
  droppedFile = null,
}: {
  onClose: () => void;
  /** A file dropped on the Packages page: the dialog starts with it (or takes it when open). */
  droppedFile?: File | null;
}) {
  const { api, store } = useStation();
  const profile = useProfileChoice(unchosenProfile);
  const [title, setTitle] = useState('');
  const [version, setVersion] = useState('');
  const [type, setType] = useState<OtaPackageType>('FIRMWARE');
  const [tag, setTag] = useState<string | null>(null);
  const [algorithm, setAlgorithm] = useState<ChecksumAlgorithm>(DEFAULT_CHECKSUM_ALGORITHM);
  const [checksum, setChecksum] = useState('');
  const [file, setFile] = useState<File | null>(droppedFile);
  const fileInput = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [errorState, setErrorState] = useState<{
    errors: FieldErrors;
    fields: FormFields;
  } | null>(null);
  const { busy, error: formError, setError: setFormError, act } = useDialogAction(onClose);
  const [upload, setUpload] = useState<UploadState | null>(null);
  const uploadRef = useRef<PackageUpload | null>(null);

  const defaultTag = `${title.trim()} ${version.trim()}`.trim();

  // A file dropped on the page while the dialog is open replaces the chosen one.
  const [lastDrop, setLastDrop] = useState(droppedFile);
  if (droppedFile !== lastDrop) {
    setLastDrop(droppedFile);
    if (droppedFile && !busy) setFile(droppedFile);
  }

  // The file control names the file however it came (chosen, dropped here or on the page).
  useEffect(() => {
    const input = fileInput.current;
    if (!input || input.files?.[0] === file) return;
    const list = new DataTransfer();
    if (file) list.items.add(file);
    input.files = list.files;
  }, [file]);

  const fields: FormFields = {
    title,
    version,
    profile: profile.choice,
    type,
    tag,
    algorithm,
    checksum,
    file,
  };
  // A field's message goes as soon as the field is right: fields changed since the messages
  // were set are checked again, as they are now.
  const errors = errorState ? liveErrors(errorState.errors, errorState.fields, fields) : {};
  const setErrors = (shown: FieldErrors) => setErrorState({ errors: shown, fields });

  const submit = async () => {
    if (busy) return;
    setFormError(null);
    const problems = problemsOf(fields);
    if (Object.keys(problems).length > 0 || !file) {
      setErrors(problems);
      return;
    }
    const meta = metaOf(fields);
    setErrors({});
    await act(
      async () => {
        const profileId = await profile.resolve();
        const startedAt = Date.now();
        setUpload({ sentBytes: 0, totalBytes: file.size, startedAt, now: startedAt });
        const running = api.uploadPackage({ ...meta, profileId }, file, (progress) =>
          setUpload({ ...progress, startedAt, now: Date.now() }),
        );
        uploadRef.current = running;
        try {
          const pkg = await running.done;
          store.putPackage(pkg);
          return `Package ${pkg.title} ${pkg.version} added (${formatBytes(pkg.size)})`;
        } finally {
          uploadRef.current = null;
        }
      },
      (error) => {
        setUpload(null);
        if (error instanceof UploadCancelledError) return error.message;
        const refused = fieldErrorsOf(error);
        const shown = Object.keys(refused).filter((f) => FORM_FIELDS.has(f));
        if (shown.length === 0 || !(error instanceof ApiError)) return messageOf(error);
        // The station's sentence is the most specific ("expected …, got …"): show it in place.
        const first = shown[0] as string;
        setErrors({ ...readableFieldErrors(refused, FIELD_LABEL), [first]: error.message });
        return null;
      },
    );
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    // The page's own drop handler would take it too.
    event.stopPropagation();
    const dropped = event.dataTransfer.files[0];
    if (dropped && !busy) setFile(dropped);
  };

  const footer = upload ? (
    <Button onClick={() => uploadRef.current?.cancel()}>Cancel upload</Button>
  ) : (
    <CancelAndSubmit onCancel={onClose} busy={busy} icon="upload">
      Add
    </CancelAndSubmit>
  );

  return (
    <Dialog
      title="Add package"
      onClose={onClose}
      onSubmit={submit}
      footer={footer}
      busy={busy}
      wide
    >
      <fieldset className="form-grid" disabled={busy}>
        <legend className="sr-only">Package</legend>
        <TextField label="Title" error={errors.title} autoFocus value={title} onChange={setTitle} />
        <TextField
          label="Version"
          error={errors.version}
          mono
          value={version}
          onChange={setVersion}
        />
        <ProfileChoice {...profile.fieldProps(errors)} />
        <PackageTypeField value={type} onChange={setType} error={errors.type} />
        <TextField
          label="Tag"
          hint="Sent to devices as fw_tag / sw_tag; defaults to “title version”."
          error={errors.tag}
          value={tag ?? defaultTag}
          onChange={setTag}
        />
        <SelectField label="Checksum algorithm" value={algorithm} onChange={setAlgorithm}>
          {CHECKSUM_ALGORITHMS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Expected checksum (optional)"
          hint="If given, the package is refused unless the file matches it."
          error={errors.checksum}
          className="span-2"
          mono
          spellCheck={false}
          value={checksum}
          onChange={setChecksum}
        />
        <div
          className={`drop-zone span-2${dragging ? ' drop-active' : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <Field
            label="Binary file"
            hint={
              file
                ? `${file.name} · ${formatBytes(file.size)}`
                : 'Choose the file, or drop it anywhere in this box.'
            }
            error={errors.file}
          >
            {(props) => (
              <input
                {...props}
                type="file"
                ref={fileInput}
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              />
            )}
          </Field>
        </div>
      </fieldset>
      {upload && <UploadProgressLine upload={upload} />}
      <FormError message={formError} />
    </Dialog>
  );
}

function UploadProgressLine({ upload }: { upload: UploadState }) {
  const percent = upload.totalBytes > 0 ? (upload.sentBytes / upload.totalBytes) * 100 : 0;
  const seconds = (upload.now - upload.startedAt) / 1000;
  const speed = seconds > 0.2 ? upload.sentBytes / seconds : null;
  const eta = speed ? ((upload.totalBytes - upload.sentBytes) / speed) * 1000 : null;
  const sent = upload.sentBytes >= upload.totalBytes;
  return (
    <div className="upload-progress">
      <div className="upload-figures">
        <span>
          {sent
            ? 'Checking and storing…'
            : `Uploading ${formatBytes(upload.sentBytes)} of ${formatBytes(upload.totalBytes)}`}
        </span>
        <span className="muted">
          {formatSpeed(speed)}
          {eta !== null && !sent ? ` · ${formatDuration(eta)} left` : ''}
        </span>
      </div>
      <progress max={100} value={percent} aria-label="Upload progress" />
    </div>
  );
}

interface FormFields {
  title: string;
  version: string;
  profile: ProfileChoiceValue;
  type: OtaPackageType;
  tag: string | null;
  algorithm: ChecksumAlgorithm;
  checksum: string;
  file: File | null;
}

function metaOf(f: FormFields): PackageMetaInput {
  return {
    title: f.title,
    version: f.version,
    profileId: profileIdToCheck(f.profile),
    type: f.type,
    checksumAlgorithm: f.algorithm,
    fileName: f.file?.name ?? '',
    ...(f.tag !== null && f.tag.trim() !== '' ? { tag: f.tag } : {}),
    ...(f.checksum.trim() !== '' ? { checksum: normalizeChecksum(f.checksum) } : {}),
    ...(f.file?.type ? { contentType: f.file.type } : {}),
  };
}

/** What is wrong with the form, in words, by the field it is shown under. */
function problemsOf(f: FormFields): FieldErrors {
  const problems: FieldErrors = {
    ...schemaProblems(PackageMeta, metaOf(f)),
    ...newProfileProblems(f.profile),
  };
  delete problems.fileName;
  if (!f.file) problems.file = 'Choose the binary file (or drop it here)';
  const expected = normalizeChecksum(f.checksum);
  const length = CHECKSUM_HEX_LENGTH[f.algorithm];
  if (expected !== '' && !new RegExp(`^[0-9a-f]{${length}}$`).test(expected))
    problems.checksum = `A ${f.algorithm} checksum is ${length} hexadecimal digits (0-9, a-f)`;
  return readableFieldErrors(problems, FIELD_LABEL);
}

function liveErrors(shown: FieldErrors, then: FormFields, now: FormFields): FieldErrors {
  const changed = changedErrorKeys(then, now).filter((key) => shown[key] !== undefined);
  if (changed.length === 0) return shown;
  const current = problemsOf(now);
  const next = { ...shown };
  for (const key of changed) {
    if (current[key] === undefined) delete next[key];
    else next[key] = current[key];
  }
  return next;
}

/** The error keys whose fields differ between two states of the form. */
function changedErrorKeys(before: FormFields, now: FormFields): string[] {
  const keys: string[] = [];
  if (before.title !== now.title) keys.push('title');
  if (before.version !== now.version) keys.push('version');
  if (before.profile.profileId !== now.profile.profileId) keys.push('profileId', 'newProfileName');
  if (before.profile.newName !== now.profile.newName) keys.push('newProfileName');
  if (before.type !== now.type) keys.push('type');
  if (before.tag !== now.tag) keys.push('tag');
  if (before.checksum !== now.checksum || before.algorithm !== now.algorithm) keys.push('checksum');
  if (before.file !== now.file) keys.push('file', 'checksum');
  return keys;
}

const FIELD_LABEL: Record<string, string> = {
  title: 'Title',
  version: 'Version',
  tag: 'Tag',
  type: 'Package type',
  checksum: 'The checksum',
  file: 'The file',
};
