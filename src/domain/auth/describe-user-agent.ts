/** Browser and platform in a few words ("Firefox 128 on Windows") from a User-Agent header; '' when there is none. */
export function describeUserAgent(ua: string): string {
  if (!ua) return '';
  const browser = matchFirst(ua, BROWSERS) ?? ua.split(/[\s/]/)[0] ?? 'Unknown';
  const platform = matchFirst(ua, PLATFORMS);
  return platform ? `${browser} on ${platform}` : browser;
}

type Rule = [RegExp, (m: RegExpMatchArray) => string];

// Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
const BROWSERS: Rule[] = [
  [/Edg(?:e|A|iOS)?\/(\d+)/, (m) => `Edge ${m[1]}`],
  [/OPR\/(\d+)/, (m) => `Opera ${m[1]}`],
  [/HeadlessChrome\/(\d+)/, (m) => `Headless Chrome ${m[1]}`],
  [/(?:Chrome|CriOS)\/(\d+)/, (m) => `Chrome ${m[1]}`],
  [/(?:Firefox|FxiOS)\/(\d+)/, (m) => `Firefox ${m[1]}`],
  [/Version\/(\d+)[\d.]* .*Safari\//, (m) => `Safari ${m[1]}`],
  [/^curl\/([\d.]+)/, (m) => `curl ${m[1]}`],
];

const PLATFORMS: Rule[] = [
  [/Android/, () => 'Android'],
  [/iPhone|iPad|iPod/, () => 'iOS'],
  [/Windows/, () => 'Windows'],
  [/Mac OS X|Macintosh/, () => 'macOS'],
  [/CrOS/, () => 'ChromeOS'],
  [/Linux/, () => 'Linux'],
];

function matchFirst(ua: string, rules: Rule[]): string | undefined {
  for (const [re, format] of rules) {
    const m = ua.match(re);
    if (m) return format(m);
  }
  return undefined;
}
