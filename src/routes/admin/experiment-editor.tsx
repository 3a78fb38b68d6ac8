import type { ExperimentFormState } from "../../lib/dashboard/experiment-form.ts";
import type { FieldError } from "../../lib/errors.ts";
import { ErrorSummary, Field, FieldMessage, fieldId, invalidProps, TextArea } from "./fields.tsx";

/**
 * The experiment editor: variants with their share of traffic (which must add up to 100, said on
 * the page and added up live by the dashboard script), coverage, goals; on create, the first
 * status. Status changes after that are the status buttons' job (with their confirmations).
 */
export function ExperimentEditor(props: {
  action: string;
  state: ExperimentFormState;
  errors?: FieldError[];
  creating?: boolean;
  changedUnsaved?: boolean;
}) {
  const { state, errors } = props;
  const sum = state.variants.reduce((total, v) => total + (Number(v.weight) || 0), 0);
  return (
    <form method="post" action={props.action}>
      <button type="submit" name="action" value="save" class="sr-only" tabindex={-1}>
        Save
      </button>
      <ErrorSummary errors={errors} />
      {props.changedUnsaved ? (
        <p class="notice warn" role="status">
          Changed on the page only: press Save to keep it.
        </p>
      ) : null}
      {props.creating ? (
        <div class="fields">
          <Field
            name="key"
            label="Key"
            value={state.key}
            errors={errors}
            required
            attrs={{ maxlength: 128, pattern: "[A-Za-z0-9_.\\-]{1,128}", autocomplete: "off" }}
            hint="1 to 128 of A-Z a-z 0-9 _ . -"
          />
          <div>
            <label for={fieldId("status")}>Start as</label>
            <select id={fieldId("status")} name="status">
              <option value="draft" selected={state.status === "draft"}>
                draft (nothing is assigned yet)
              </option>
              <option value="running" selected={state.status === "running"}>
                running (assign at once)
              </option>
            </select>
          </div>
        </div>
      ) : null}
      <fieldset data-weights id={fieldId("weights")}>
        <legend>Variants and weights</legend>
        <p class="hint" id="weights-rule">
          Each weight is the variant's share of the units that enter, in percent: the weights must add up to 100. The
          first variant is the control. A variant that already holds units cannot be removed; reweighting never moves a
          unit already assigned.
        </p>
        {state.variants.map((v, i) => (
          <div class="row">
            <Field
              name={`variants.${i}.name`}
              label={`Variant ${i + 1} name${i === 0 ? " (control)" : ""}`}
              value={v.name}
              errors={errors}
              attrs={{ maxlength: 64, autocomplete: "off" }}
            />
            <div>
              <label for={fieldId(`variants.${i}.weight`)}>Variant {i + 1} weight (%)</label>
              <input
                id={fieldId(`variants.${i}.weight`)}
                name={`variants.${i}.weight`}
                type="number"
                min="0"
                max="100"
                step="0.01"
                value={v.weight}
                data-weight
                aria-describedby="weights-rule"
                {...invalidProps(errors, `variants.${i}.weight`)}
              />
              <FieldMessage errors={errors} name={`variants.${i}.weight`} />
            </div>
            <div class="tools">
              <button type="submit" name="action" value={`remove-variant:${i}`} class="secondary small">
                Remove variant {i + 1}
              </button>
            </div>
          </div>
        ))}
        <p>
          Total: <b data-weight-sum>{String(Math.round(sum * 100) / 100)}</b> of 100.{" "}
          <button type="submit" name="action" value="add-variant" class="secondary small">
            Add a variant
          </button>
        </p>
        <FieldMessage errors={errors} name="weights" />
        <FieldMessage errors={errors} name="variants" />
      </fieldset>
      <div class="fields">
        <Field
          name="coverage"
          label="Coverage: share of all units that enter (%)"
          type="number"
          value={state.coverage}
          errors={errors}
          attrs={{ min: 0, max: 100, step: "0.01" }}
          hint="The others get the control and are not counted"
        />
        <TextArea name="goals" label="Goals, one a line (e.g. purchase)" value={state.goals} errors={errors} rows={3} />
      </div>
      <details>
        <summary>Advanced</summary>
        <div class="fields">
          <Field
            name="salt"
            label="Bucketing salt (empty: the key)"
            value={state.salt}
            errors={errors}
            hint="Units already assigned keep their variant"
          />
        </div>
      </details>
      <div class="actions">
        <button type="submit" name="action" value="save">
          {props.creating ? "Create experiment" : "Save experiment"}
        </button>
      </div>
    </form>
  );
}
