/** Text from the network, cut for a log line: the first `max` characters and an ellipsis. */
export function truncate(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
