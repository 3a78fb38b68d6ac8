/**
 * The few HTML pages the public redirect shows people: small, self-contained (no scripts, no
 * external assets), every interpolated value escaped.
 */

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:15vh auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}input,button{font:inherit;padding:.5rem;width:100%;box-sizing:border-box;margin:.25rem 0}
.error{color:#b00020}
</style>
</head>
<body>
${body}
</body>
</html>`;
}

export function notFoundPage(): string {
  return page("Link not found", "<h1>Link not found</h1><p>This short link does not exist. Check it for typos.</p>");
}

export function gonePage(reason: "expired" | "exhausted"): string {
  const why = reason === "expired" ? "has expired" : "has reached its maximum number of clicks";
  return page("Link no longer available", `<h1>Link no longer available</h1><p>This short link ${why}.</p>`);
}

/** The password form; it posts back to the same short URL (query string included, for forwardQuery). */
export function passwordPage(action: string, wrong: boolean): string {
  return page(
    "Password required",
    `<h1>Password required</h1>
<p>This link is protected. Enter its password to continue.</p>
${wrong ? '<p class="error" role="alert">That password is not right. Try again.</p>' : ""}
<form method="post" action="${escapeHtml(action)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus maxlength="128">
<button type="submit">Continue</button>
</form>`,
  );
}
