import { OTA_PACKAGE_TYPES, type OtaPackageType } from '../../../../shared/protocol/ota-keys';
import { SelectField } from '../../components/SelectField';

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
    <SelectField label="Package type" error={error} value={value} onChange={onChange}>
      {OTA_PACKAGE_TYPES.map((t) => (
        <option key={t} value={t}>
          {PACKAGE_TYPE_LABEL[t]}
        </option>
      ))}
    </SelectField>
  );
}
