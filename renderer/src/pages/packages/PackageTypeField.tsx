import { OTA_PACKAGE_TYPES, type OtaPackageType } from '../../../../shared/protocol/ota-keys';
import { Field } from '../../components/Field';

export const PACKAGE_TYPE_LABEL: Record<OtaPackageType, string> = {
  FIRMWARE: 'Firmware',
  SOFTWARE: 'Software',
};

/** The firmware / software choice, labelled "Package type". */
export function PackageTypeField({
  value,
  onChange,
  error,
}: {
  value: OtaPackageType;
  onChange: (type: OtaPackageType) => void;
  error?: string | undefined;
}) {
  return (
    <Field label="Package type" error={error}>
      {(props) => (
        <select
          {...props}
          value={value}
          onChange={(e) => onChange(e.target.value as OtaPackageType)}
        >
          {OTA_PACKAGE_TYPES.map((t) => (
            <option key={t} value={t}>
              {PACKAGE_TYPE_LABEL[t]}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
