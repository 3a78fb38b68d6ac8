/** The dashboard's whole stylesheet, inlined in every page (about 2 kB: no extra request). */
export const STYLES = `
:root{--fg:#1d2433;--muted:#5d6778;--line:#dde2ea;--bg:#f6f7f9;--card:#fff;--accent:#2458d3;--ok:#1b7f4b;--warn:#b54708;--bad:#b42318}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.6rem 1rem;background:#111827;color:#fff}
header a{color:#cfd8ea;text-decoration:none;padding:.25rem .1rem}
header a[aria-current=page]{color:#fff;border-bottom:2px solid #fff}
header .brand{font-weight:700;color:#fff;margin-right:.5rem}
header nav{display:flex;flex-wrap:wrap;gap:.9rem;flex:1}
header form{margin:0}
main{max-width:1040px;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.4rem 0 1rem}
h2{font-size:1.05rem;margin:1.4rem 0 .6rem}
.card>h2:first-child{margin-top:0}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem;margin-bottom:1rem}
.scroll{overflow-x:auto}
table{width:100%;border-collapse:collapse;font-size:.93rem}
th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid var(--line);vertical-align:middle}
th{color:var(--muted);font-weight:600;font-size:.82rem;text-transform:uppercase;letter-spacing:.02em}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
a{color:var(--accent)}
.muted{color:var(--muted)}
.url{max-width:22rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
form.inline{display:inline-flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:0}
.fields{display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));gap:.7rem;align-items:end}
label{display:block;font-size:.85rem;color:var(--muted)}
input,select,textarea{font:inherit;width:100%;padding:.45rem .5rem;border:1px solid #c3cad6;border-radius:6px;background:#fff;color:var(--fg)}
form.inline input{width:5.5rem}
button{font:inherit;padding:.45rem .9rem;border:0;border-radius:6px;background:var(--accent);color:#fff;cursor:pointer}
button.secondary{background:#e8ecf3;color:var(--fg)}
button.danger{background:var(--bad)}
header button{background:transparent;border:1px solid #4b5563;color:#e5e7eb;padding:.25rem .7rem}
.pill{display:inline-block;padding:.1rem .55rem;border-radius:999px;font-size:.8rem;font-weight:600}
.on{background:#dcfae6;color:var(--ok)}.off{background:#fee4e2;color:var(--bad)}
.notice{padding:.7rem 1rem;border-radius:8px;margin-bottom:1rem;border:1px solid}
.notice.error{background:#fef3f2;border-color:#fecdca;color:var(--bad)}
.notice.warn{background:#fffaeb;border-color:#fedf89;color:var(--warn)}
.notice.ok{background:#ecfdf3;border-color:#abefc6;color:var(--ok)}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:1rem}
.stats{display:flex;flex-wrap:wrap;gap:1.5rem}.stats div{min-width:6rem}.stats b{display:block;font-size:1.4rem}
svg{display:block;max-width:100%;height:auto}
svg.spark{width:120px;height:28px}svg.bars{max-width:560px}svg.chart{max-width:820px}svg.qr{width:180px;height:180px}
svg .grid{stroke:#e6e9ef}svg .axis{stroke:#8a94a6}svg .bar{fill:var(--accent)}
svg .line{fill:none;stroke:var(--accent);stroke-width:1.6}svg .dot{fill:var(--accent)}
svg text{font:12px system-ui,sans-serif;fill:var(--muted)}svg .label,svg .value{fill:var(--fg);font-size:13px}
.login{max-width:24rem;margin:12vh auto}
textarea{min-height:4.5rem;resize:vertical}input[type=checkbox]{width:auto}input[type=range]{padding:0}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}header :focus-visible{outline-color:#fff}
[aria-invalid=true]{border-color:var(--bad);border-width:2px}
a.button{display:inline-block;padding:.45rem .9rem;border-radius:6px;background:var(--accent);color:#fff;text-decoration:none}
h3{font-size:.95rem;margin:1rem 0 .4rem}
.status-running{background:#dcfae6;color:var(--ok)}.status-paused{background:#fffaeb;color:var(--warn)}
.status-draft{background:#eef1f6;color:var(--fg)}.status-completed{background:#e0eaff;color:#1d3f9e}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.field-error{color:var(--bad);font-size:.85rem;margin:.2rem 0 0;font-weight:600}
.hint{color:var(--muted);font-size:.82rem;margin:.2rem 0 0}
.row{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.5rem;align-items:start;padding:.6rem 0;border-top:1px solid var(--line)}
.row .tools{display:flex;flex-wrap:wrap;gap:.3rem;align-self:end}
.tools button,.small{padding:.3rem .6rem;font-size:.85rem}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:1rem}
.notice ul{margin:.3rem 0 0;padding-left:1.2rem}.notice p{margin:0}
.notice a{color:inherit}
code{font-size:.9em;background:#eef1f6;padding:0 .25rem;border-radius:4px}
fieldset{border:1px solid var(--line);border-radius:8px;margin:0 0 1rem;padding:.6rem .9rem}
legend{font-weight:600;padding:0 .3rem}
[data-sum-ok=false] [data-weight-sum]{color:var(--bad);font-weight:700}
@media (max-width:600px){main{padding:.6rem}th,td{padding:.4rem .3rem}.hide-sm{display:none}form.inline input{width:4.5rem}}
`;
