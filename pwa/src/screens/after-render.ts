// Focus and scroll moves that must wait for the render an action causes (an error shown, a
// folded section opened, another step): they run in a layout effect, right after that render
// is committed and in the same task. A requestAnimationFrame instead ran a frame later, on a
// busy phone much later, and could take the focus from the field the operator had tapped
// meanwhile and send what was typed into the wrong input.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

/** `after(move)`: run `move` once the render this component is part of is on screen. */
export function useAfterRender(): (move: () => void) => void {
  const pending = useRef<(() => void)[]>([]);
  // Ask for a render of this component too, so the effect runs even when nothing else changes.
  const [, rerender] = useState(0);
  useLayoutEffect(() => {
    for (const move of pending.current.splice(0)) move();
  });
  return (move) => {
    pending.current.push(move);
    rerender((n) => n + 1);
  };
}

/** The first input showing an error (or the form's error summary) takes the focus. */
export function focusFirstError(): void {
  (document.querySelector('[aria-invalid="true"], #fields-summary') as HTMLElement | null)?.focus();
}
