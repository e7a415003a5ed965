"use client";

/** An ordered multi-select: fallbacks are tried top to bottom, so order is part of the value. */
export function FallbackPicker(props: { id: string; value: string[]; options: string[]; max: number; invalid?: boolean; describedBy?: string; onChange: (next: string[]) => void }) {
  const { value, onChange } = props;
  const left = props.options.filter((o) => !value.includes(o));
  const move = (i: number, by: number) => {
    const next = [...value];
    const [item] = next.splice(i, 1);
    next.splice(i + by, 0, item!);
    onChange(next);
  };

  return (
    <div className="fallbacks" data-testid="fallback-picker">
      {value.length ? (
        <ol className="fallback-list">
          {value.map((name, i) => (
            <li key={name} className="fallback-item">
              <span className="fallback-order">{i + 1}</span>
              <span className="mono fallback-name">{name}</span>
              <button type="button" className="icon-button" onClick={() => move(i, -1)} disabled={i === 0} aria-label={`Move ${name} up`}>
                ↑
              </button>
              <button type="button" className="icon-button" onClick={() => move(i, 1)} disabled={i === value.length - 1} aria-label={`Move ${name} down`}>
                ↓
              </button>
              <button type="button" className="icon-button icon-button-danger" onClick={() => onChange(value.filter((v) => v !== name))} aria-label={`Remove fallback ${name}`}>
                ×
              </button>
            </li>
          ))}
        </ol>
      ) : null}
      <select
        id={props.id}
        name={props.id}
        aria-invalid={props.invalid || undefined}
        aria-describedby={props.describedBy}
        value=""
        disabled={left.length === 0 || value.length >= props.max}
        onChange={(e) => e.target.value && onChange([...value, e.target.value])}
      >
        <option value="">
          {props.options.length === 0 ? "No other models yet" : left.length === 0 ? "Every other model is listed" : value.length ? "Add another fallback…" : "Add a fallback…"}
        </option>
        {left.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
}
