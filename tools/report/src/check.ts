import { readFileSync } from 'node:fs';
import { type ScreenshotOptions, type ScreenshotResult, screenshotHtml } from './chromium.ts';
import { analysePng, type PngContent } from './png.ts';

export interface CheckOptions extends ScreenshotOptions {
  /** Least share of drawn (non-background) pixels. Default 0.03. */
  minInk?: number;
  /** Least number of distinct colours. Default 12. */
  minColours?: number;
}

export interface CheckResult extends ScreenshotResult {
  png: PngContent;
}

/**
 * The render check: screenshots the report in headless Chromium and fails (throws) when Chromium
 * fails, the page requests anything from the network, logs an error (e.g. a CSP violation), or the
 * PNG is blank.
 */
export async function checkReportRenders(
  htmlFile: string,
  pngFile: string,
  options: CheckOptions = {},
): Promise<CheckResult> {
  const shot = await screenshotHtml(htmlFile, pngFile, options);
  const png = analysePng(readFileSync(pngFile));
  const problems: string[] = [];
  if (shot.requests.length > 0) problems.push(`the page made network requests: ${shot.requests.join(', ')}`);
  if (shot.errors.length > 0) problems.push(`the page logged errors: ${shot.errors.join(' | ')}`);
  if (png.inkFraction < (options.minInk ?? 0.03) || png.colours < (options.minColours ?? 12)) {
    problems.push(
      `the screenshot looks blank (${(png.inkFraction * 100).toFixed(2)} % drawn, ${png.colours} colours)`,
    );
  }
  if (problems.length > 0) throw new Error(`report render check failed: ${problems.join('; ')}`);
  return { ...shot, png };
}
