import type { Child } from "hono/jsx";
import type { FieldError } from "../../lib/errors.ts";
import { Notice } from "./layout.tsx";

/** The id of a form field's element: `rules.0.values` is `f-rules-0-values`. */
export const fieldId = (name: string) => `f-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;

/** The messages of the errors on one field. */
export const messagesAt = (errors: FieldError[] | undefined, name: string) =>
  (errors ?? []).filter((e) => e.path === name).map((e) => e.message);

/** The attributes that tie a field to its error message (read out by screen readers). */
export function invalidProps(errors: FieldError[] | undefined, name: string) {
  return messagesAt(errors, name).length > 0
    ? { "aria-invalid": "true", "aria-describedby": `${fieldId(name)}-error` }
    : {};
}

/** The error next to a field (nothing when it has none). */
export function FieldMessage(props: { errors?: FieldError[]; name: string }) {
  const messages = messagesAt(props.errors, props.name);
  if (messages.length === 0) return null;
  return (
    <p class="field-error" id={`${fieldId(props.name)}-error`} data-error-for={props.name}>
      {messages.join("; ")}
    </p>
  );
}

/**
 * Every error of a form above it, each linking to its field: "Fix 2 fields". Errors without a
 * field (`path` "") or on a field the form does not show are listed as plain text.
 */
export function ErrorSummary(props: { errors?: FieldError[]; shown?: (name: string) => boolean; title?: string }) {
  if (!props.errors || props.errors.length === 0) return null;
  return (
    <Notice kind="error">
      <p>
        <b>{props.title ?? "Nothing was saved:"}</b>
      </p>
      <ul>
        {props.errors.map((e) =>
          e.path && (props.shown?.(e.path) ?? true) ? (
            <li>
              <a href={`#${fieldId(e.path)}`}>{e.path}</a>: {e.message}
            </li>
          ) : (
            <li>{e.path ? `${e.path}: ${e.message}` : e.message}</li>
          ),
        )}
      </ul>
    </Notice>
  );
}

/** A labelled text-like input with its error. */
export function Field(props: {
  name: string;
  label: string;
  value?: string;
  type?: string;
  errors?: FieldError[];
  hint?: Child;
  required?: boolean;
  attrs?: Record<string, string | number | boolean | undefined>;
  wide?: boolean;
}) {
  const id = fieldId(props.name);
  return (
    <div style={props.wide ? "grid-column:1/-1" : undefined}>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value ?? ""}
        required={props.required}
        {...props.attrs}
        {...invalidProps(props.errors, props.name)}
      />
      {props.hint ? <p class="hint">{props.hint}</p> : null}
      <FieldMessage errors={props.errors} name={props.name} />
    </div>
  );
}

/** A labelled textarea (one item a line) with its error. */
export function TextArea(props: {
  name: string;
  label: string;
  value?: string;
  errors?: FieldError[];
  hint?: Child;
  rows?: number;
  wide?: boolean;
}) {
  const id = fieldId(props.name);
  return (
    <div style={props.wide ? "grid-column:1/-1" : undefined}>
      <label for={id}>{props.label}</label>
      <textarea id={id} name={props.name} rows={props.rows ?? 4} {...invalidProps(props.errors, props.name)}>
        {props.value ?? ""}
      </textarea>
      {props.hint ? <p class="hint">{props.hint}</p> : null}
      <FieldMessage errors={props.errors} name={props.name} />
    </div>
  );
}

/** A one-button form posting to `action` (through the dashboard's CSRF checks like every form). */
export function ActionButton(props: {
  action: string;
  label: string;
  fields?: Record<string, string>;
  kind?: "danger" | "secondary" | "primary";
  data?: string;
  /** What a screen reader says when the visible label repeats on the page ("Revoke" per row). */
  ariaLabel?: string;
}) {
  return (
    <form method="post" action={props.action} class="inline">
      {Object.entries(props.fields ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button
        type="submit"
        class={props.kind === "primary" ? "" : (props.kind ?? "secondary")}
        data-action={props.data}
        aria-label={props.ariaLabel}
      >
        {props.label}
      </button>
    </form>
  );
}
