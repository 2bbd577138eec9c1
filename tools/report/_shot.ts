import { checkReportRenders } from '/work/wt/run/tools/report/src/index.ts';

const [html, png] = process.argv.slice(2);
const r = await checkReportRenders(html!, png!);
console.log(JSON.stringify({ w: r.width, h: r.height, png: r.png, req: r.requests, err: r.errors }));
