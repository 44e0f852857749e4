import React, { useRef, useState } from 'react';
import { Box, Button, H4, Icon, MessageBox, Text } from '@adminjs/design-system';

export interface SecretOnceProps {
  /** The secret, held only in this component's state: never stored, never in a URL. */
  secret: string;
  title: string;
  /** What the secret is, for the warning: "API key", "temporary password". */
  what: string;
  /** Extra lines under the warning. */
  children?: React.ReactNode;
  doneLabel?: string;
  /** Called when the admin confirms they copied it; the caller drops the secret then. */
  onDone: () => void;
}

async function copyText(text: string, fallbackFrom: HTMLElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API (plain http, old browser): select the text and use the legacy command.
    if (!fallbackFrom) return false;
    const range = document.createRange();
    range.selectNodeContents(fallbackFrom);
    const sel = window.getSelection();
    sel?.removeAllRanges();
    sel?.addRange(range);
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

/**
 * A secret shown exactly once: the value in a dialog with a Copy button and a
 * warning that it cannot be shown again. It came in one action response only;
 * reloading the page or leaving it loses it for good.
 */
const SecretOnce: React.FC<SecretOnceProps> = ({ secret, title, what, children, doneLabel = 'I have copied it', onDone }) => {
  const [copied, setCopied] = useState<boolean | null>(null);
  const valueRef = useRef<HTMLElement | null>(null);
  return (
    <Box
      role="dialog"
      aria-modal="false"
      aria-labelledby="secret-once-title"
      data-testid="secret-once"
      p="xl"
      mb="xl"
      style={{ border: '2px solid #3040D6', borderRadius: 8, background: '#F6F7FB' }}
    >
      <H4 id="secret-once-title" mb="lg">
        {title}
      </H4>
      <MessageBox
        variant="warning"
        mb="lg"
        message={`Copy this ${what} now. It is shown only this once and cannot be shown again: Realmgate keeps only a hash of it.`}
      />
      <Box flex alignItems="center" style={{ gap: 12 }} mb="lg">
        <code
          ref={valueRef}
          data-testid="secret-once-value"
          style={{ flex: 1, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', fontSize: 15, padding: '12px 14px', background: '#fff', border: '1px solid #C0C0CA', borderRadius: 4, wordBreak: 'break-all', userSelect: 'all' }}
        >
          {secret}
        </code>
        <Button type="button" variant="contained" data-testid="secret-once-copy" onClick={async () => setCopied(await copyText(secret, valueRef.current))}>
          <Icon icon={copied ? 'Check' : 'Copy'} />
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </Box>
      {copied === false ? <Text mb="lg" style={{ color: '#C20012' }}>Copying failed: select the value and copy it by hand.</Text> : null}
      {children}
      <Box mt="lg">
        <Button type="button" variant="outlined" data-testid="secret-once-done" onClick={onDone}>
          {doneLabel}
        </Button>
      </Box>
    </Box>
  );
};

export { SecretOnce };
export default SecretOnce;
