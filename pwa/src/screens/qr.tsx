// A QR of the resident's status link on the operator's screen: the resident scans it at the
// counter with their own phone. The encoder is its own chunk (precached, so it works
// offline) and stays out of the first load.
import { useEffect, useState } from 'preact/hooks';

export function QrCode(props: { text: string; label: string }) {
  const [svg, setSvg] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    import('uqr')
      .then(({ renderSVG }) => {
        if (live) setSvg(renderSVG(props.text, { ecc: 'M', border: 2 }));
      })
      .catch(() => undefined); // the link beside it still works
    return () => {
      live = false;
    };
  }, [props.text]);
  if (!svg) return null;
  // The SVG is made here from the link, not taken from the network.
  return <div class="qr" role="img" aria-label={props.label} dangerouslySetInnerHTML={{ __html: svg }} />;
}
