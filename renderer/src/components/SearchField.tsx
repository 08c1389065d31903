import { Field } from './Field';
import { Icon } from './Icon';

/** A labelled search box with the search icon inside it, for filtering a list as one types. */
export function SearchField({
  label,
  placeholder,
  value,
  onChange,
  className,
}: {
  label: string;
  placeholder: string;
  value: string;
  onChange: (value: string) => void;
  className: string;
}) {
  return (
    <Field label={label} className={className}>
      {(props) => (
        <span className="search-input">
          <Icon name="search" />
          <input
            {...props}
            type="search"
            autoComplete="off"
            placeholder={placeholder}
            value={value}
            onChange={(e) => onChange(e.target.value)}
          />
        </span>
      )}
    </Field>
  );
}
