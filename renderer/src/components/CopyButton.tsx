import { useEffect, useState } from 'react';

import { Icon } from './Icon';

/** Copies a value (a checksum, a token) and says so; the full value is in the label. */
export function CopyButton({ value, what }: { value: string; what: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  const copy = () => {
    navigator.clipboard.writeText(value).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <button
      type="button"
      className="icon-button"
      onClick={copy}
      aria-label={copied ? `${what} copied` : `Copy ${what}`}
      title={copied ? 'Copied' : `Copy ${what}`}
    >
      <Icon name={copied ? 'check' : 'copy'} />
    </button>
  );
}
