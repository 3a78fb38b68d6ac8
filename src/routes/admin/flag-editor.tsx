import type { FlagFormState } from "../../lib/dashboard/flag-form.ts";
import type { FieldError } from "../../lib/errors.ts";
import { FLAG_TYPES, OPERATORS } from "../../lib/flags/schema.ts";
import { ErrorSummary, Field, FieldMessage, fieldId, invalidProps, TextArea } from "./fields.tsx";

const OPERATOR_LABELS: Record<(typeof OPERATORS)[number], string> = {
  in: "is one of",
  not_in: "is none of",
  equals: "equals",
  starts_with: "starts with",
  ends_with: "ends with",
  contains: "contains",
  gt: "greater than (number)",
  lt: "less than (number)",
  semver_gt: "version after (semver)",
  semver_lt: "version before (semver)",
};

const VALUE_HINT: Record<FlagFormState["type"], string> = {
  boolean: "true or false",
  string: "any text",
  number: "a number",
  object: "a JSON object",
};

/**
 * The whole-flag editor: every field of PUT /api/flags/{key}. Buttons other than Save (add a
 * row, move a rule up or down, remove one) post the form too and show it again changed, unsaved:
 * reordering works without JavaScript.
 */
export function FlagEditor(props: {
  action: string;
  state: FlagFormState;
  errors?: FieldError[];
  seen?: number;
  creating?: boolean;
  changedUnsaved?: boolean;
}) {
  const { state, errors } = props;
  const names = state.variants.map((v) => v.name).filter((n) => n !== "");
  const rolloutValue = state.rolloutPercentage === "" ? "0" : state.rolloutPercentage;
  return (
    <form method="post" action={props.action} data-flag-editor>
      {/* Enter in a field presses the form's first submit button: make that one Save. */}
      <button type="submit" name="action" value="save" class="sr-only" tabindex={-1}>
        Save
      </button>
      <ErrorSummary errors={errors} />
      {props.changedUnsaved ? (
        <p class="notice warn" role="status">
          Changed on the page only: press Save flag to keep it.
        </p>
      ) : null}
      {props.seen !== undefined ? <input type="hidden" name="seen" value={String(props.seen)} /> : null}
      <datalist id="variant-names">
        {names.map((n) => (
          <option value={n} />
        ))}
      </datalist>
      <fieldset>
        <legend>Flag</legend>
        <div class="fields">
          {props.creating ? (
            <Field
              name="key"
              label="Key"
              value={state.key}
              errors={errors}
              required
              attrs={{ maxlength: 128, pattern: "[A-Za-z0-9_.\\-]{1,128}", autocomplete: "off" }}
              hint="1 to 128 of A-Z a-z 0-9 _ . -"
            />
          ) : (
            <input type="hidden" name="key" value={state.key} />
          )}
          <div>
            <label for={fieldId("type")}>Type</label>
            <select id={fieldId("type")} name="type" {...invalidProps(errors, "type")}>
              {FLAG_TYPES.map((t) => (
                <option value={t} selected={t === state.type}>
                  {t}
                </option>
              ))}
            </select>
            <FieldMessage errors={errors} name="type" />
          </div>
          <div>
            <label for={fieldId("enabled")}>
              <input id={fieldId("enabled")} name="enabled" type="checkbox" checked={state.enabled} /> Enabled (off:
              everyone gets the default)
            </label>
          </div>
          <Field name="description" label="Description" value={state.description} errors={errors} wide />
        </div>
      </fieldset>

      <fieldset>
        <legend>Variants</legend>
        <p class="hint">
          Each variant's value must be {VALUE_HINT[state.type]} for a {state.type} flag. A blank row is ignored.
        </p>
        <FieldMessage errors={errors} name="variants" />
        {state.variants.map((v, i) => (
          <div class="row" data-variant-row={String(i)}>
            <Field name={`variants.${i}.name`} label={`Variant ${i + 1} name`} value={v.name} errors={errors} />
            <Field name={`variants.${i}.value`} label={`Variant ${i + 1} value`} value={v.value} errors={errors} />
            <div class="tools">
              <button type="submit" name="action" value={`remove-variant:${i}`} class="secondary small">
                Remove variant {i + 1}
              </button>
            </div>
          </div>
        ))}
        <p>
          <button type="submit" name="action" value="add-variant" class="secondary small">
            Add a variant
          </button>
        </p>
        <div class="fields">
          <Field
            name="defaultVariant"
            label="Default variant"
            value={state.defaultVariant}
            errors={errors}
            attrs={{ list: "variant-names", autocomplete: "off" }}
            hint="Served when the flag is off or nothing else matches"
          />
        </div>
      </fieldset>

      <fieldset>
        <legend>Rollout</legend>
        <div class="fields">
          <div>
            <label for={fieldId("rolloutSlider")}>Rollout percentage (slider)</label>
            <input
              id={fieldId("rolloutSlider")}
              name="rolloutSlider"
              type="range"
              min="0"
              max="100"
              step="1"
              value={rolloutValue}
              data-sync={fieldId("rolloutPercentage")}
            />
          </div>
          <Field
            name="rolloutPercentage"
            label="Rollout percentage (0 to 100, two decimals; empty: no rollout)"
            type="number"
            value={state.rolloutPercentage}
            errors={errors}
            attrs={{ min: 0, max: 100, step: "0.01" }}
          />
          <input type="hidden" name="rolloutWas" value={state.rolloutPercentage} />
          <Field
            name="rolloutVariant"
            label="Variant rolled out"
            value={state.rolloutVariant}
            errors={errors}
            attrs={{ list: "variant-names", autocomplete: "off" }}
          />
        </div>
        <p class="hint">
          Sticky: a targeting key keeps its bucket as the percentage grows. The allow list needs a rollout (0% lets in
          only the allow list).
        </p>
      </fieldset>

      <fieldset>
        <legend>Allow and deny lists</legend>
        <div class="fields">
          <TextArea
            name="allow"
            label="Allowed targeting keys, one a line (get the rollout variant)"
            value={state.allow}
            errors={errors}
          />
          <TextArea
            name="deny"
            label="Denied targeting keys, one a line (get the default)"
            value={state.deny}
            errors={errors}
          />
        </div>
      </fieldset>

      <fieldset>
        <legend>Rules</legend>
        <p class="hint">
          Checked in order, after the deny and allow lists: the first rule that matches serves its variant. A rule
          matches when the context attribute compares true with at least one value (one a line).
        </p>
        <FieldMessage errors={errors} name="rules" />
        {state.rules.length === 0 ? <p class="muted">No rules.</p> : null}
        {state.rules.map((rule, i) => (
          <div class="row" data-rule-row={String(i)}>
            <Field
              name={`rules.${i}.attribute`}
              label={`Rule ${i + 1} attribute`}
              value={rule.attribute}
              errors={errors}
              attrs={{ autocomplete: "off" }}
            />
            <div>
              <label for={fieldId(`rules.${i}.operator`)}>Rule {i + 1} operator</label>
              <select id={fieldId(`rules.${i}.operator`)} name={`rules.${i}.operator`}>
                {OPERATORS.map((op) => (
                  <option value={op} selected={op === rule.operator}>
                    {OPERATOR_LABELS[op]}
                  </option>
                ))}
              </select>
            </div>
            <TextArea
              name={`rules.${i}.values`}
              label={`Rule ${i + 1} values, one a line`}
              value={rule.values}
              errors={errors}
              rows={2}
            />
            <Field
              name={`rules.${i}.variant`}
              label={`Rule ${i + 1} variant`}
              value={rule.variant}
              errors={errors}
              attrs={{ list: "variant-names", autocomplete: "off" }}
            />
            <div class="tools">
              <button
                type="submit"
                name="action"
                value={`up:${i}`}
                class="secondary small"
                disabled={i === 0}
                aria-label={`Move rule ${i + 1} up`}
              >
                ↑ Up
              </button>
              <button
                type="submit"
                name="action"
                value={`down:${i}`}
                class="secondary small"
                disabled={i === state.rules.length - 1}
                aria-label={`Move rule ${i + 1} down`}
              >
                ↓ Down
              </button>
              <button type="submit" name="action" value={`remove-rule:${i}`} class="secondary small">
                Remove rule {i + 1}
              </button>
            </div>
          </div>
        ))}
        <p>
          <button type="submit" name="action" value="add-rule" class="secondary small">
            Add a rule
          </button>
        </p>
      </fieldset>

      <details>
        <summary>Advanced</summary>
        <div class="fields">
          <Field
            name="salt"
            label="Bucketing salt (empty: the key)"
            value={state.salt}
            errors={errors}
            hint="Changing it re-buckets everyone"
          />
        </div>
      </details>
      <div class="actions">
        <button type="submit" name="action" value="save">
          {props.creating ? "Create flag" : "Save flag"}
        </button>
      </div>
    </form>
  );
}
