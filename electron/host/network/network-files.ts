/** The network stacks' configuration files Passthru may write — and nothing else (the write op and the planner both hold to it). */
const NETWORK_FILES = [/^\/etc\/network\/interfaces$/, /^\/etc\/network\/interfaces\.d\/[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/];

export function isNetworkFile(path: string): boolean {
  return NETWORK_FILES.some((re) => re.test(path));
}
