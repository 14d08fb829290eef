// One document the service asks for, in the new-request form: its pages, and the two ways
// to add one (camera, or a file already on the device).
import { t } from '../i18n';
import type { Service } from '../lib/catalog';
import type { Prepared } from '../lib/images';
import type { ServerPage } from '../lib/request-form';
import type { LocalScan } from '../lib/storage';
import { Thumb } from './common';
import { QualityBadges, ViewButton } from './photo-check';

type Requirement = Service['requirements'][number];

export function RequirementCard(props: {
  requirement: Requirement;
  /** The other documents of its "one of" group: any one of them is enough. */
  group: Requirement[];
  /** Documents with a page, here or on the server. */
  have: Set<string>;
  /** A problem with the page just added to this document (duplicate, unreadable). */
  error: string | null;
  pages: LocalScan[];
  /** Pages of this document the server already holds (a correction keeps them), numbered. */
  onServer: (ServerPage & { page: number })[];
  /** The request on the server, for the pages' pictures. */
  requestId: string;
  onRemove: (id: string) => void;
  onFiles: (files: FileList | null) => void;
  /** A new photo for a page the server holds (Dukcapil asked for it again). */
  onReplace: (serverId: string, files: FileList | null) => void;
  /** A page cropped to the paper, or its crop undone (photo-check.tsx): `prepared` are its new bytes. */
  onCrop?: (page: LocalScan, prepared: Prepared) => void;
  /** The service's form fills this document: print it prefilled (request-print.tsx). */
  print?: {
    busy: boolean;
    note: string;
    /** The stored draft's PDF, to open with a tap; null until it was prepared (or after an edit). */
    link: string | null;
    /** Printed (or held signed on the server) with other data, and photographed: print again. */
    stale: boolean;
    onPrint: () => void;
  };
}) {
  const { requirement: r, pages: mine, group } = props;
  const added = mine.filter((p) => !p.replaces);
  const onServer = props.onServer.length;
  const done = mine.length > 0 || onServer > 0;
  const instead = group.find((o) => props.have.has(o.code));
  const kind = done ? 'done' : !r.required ? 'optional' : instead ? 'covered' : r.one_of ? 'oneOf' : 'required';
  const kindText =
    kind === 'done'
      ? t('req.done', { n: added.length + onServer })
      : kind === 'covered'
        ? t('req.covered', { other: instead!.label })
        : kind === 'oneOf'
          ? t('req.oneOfWith', { others: group.map((o) => o.label).join(t('req.or')) })
          : t(`req.${kind}`);
  const picked = (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    props.onFiles(input.files);
    input.value = '';
  };
  return (
    <section class={`req ${mine.length ? 'req-ok' : ''}`} aria-labelledby={`req-${r.code}`}>
      <h3 id={`req-${r.code}`}>
        {done && <span aria-hidden="true">✓ </span>}
        {r.label}
      </h3>
      <p class={`req-kind req-${kind}`}>{kindText}</p>
      {props.print && (
        <div class="print-form">
          <button type="button" class="btn" data-print={r.code} disabled={props.print.busy} onClick={props.print.onPrint}>
            {t('print.button', { label: r.label })}
          </button>
          {props.print.busy && (
            <p class="note" role="status" id={`print-${r.code}-busy`}>
              {t('print.preparing')}
            </p>
          )}
          {props.print.link && !props.print.busy && (
            <a class="btn btn-primary" id={`print-${r.code}-link`} href={props.print.link} target="_blank" rel="noopener">
              {t('print.open')}
            </a>
          )}
          <p class="hint">{t('print.hint')}</p>
          {props.print.stale && (
            <p class="warning" role="alert" id={`print-${r.code}-stale`}>
              {t('print.stale')}
            </p>
          )}
          {props.print.note && (
            <p class="note note-warn" role="status" id={`print-${r.code}-note`}>
              {props.print.note}
            </p>
          )}
        </div>
      )}
      {onServer > 0 && <p class="muted">{t('scan.onServer', { n: onServer })}</p>}
      {onServer > 0 && (
        <ul class="thumbs server-pages">
          {props.onServer.map((s) => {
            const replacement = mine.find((p) => p.replaces === s.id);
            const name = t('scan.page', { n: s.page, doc: r.label });
            return (
              <li data-server-page={s.id}>
                {replacement ? (
                  <>
                    <Thumb blob={replacement.blob} label={t('scan.replacing', { n: s.page, doc: r.label })} />
                    <span class="item-meta">{t('scan.replacing', { n: s.page, doc: r.label })}</span>
                    <QualityBadges flags={replacement.quality} />
                    <ViewButton blob={replacement.blob} label={t('scan.replacing', { n: s.page, doc: r.label })} n={s.page} onCrop={props.onCrop && ((prepared) => props.onCrop?.(replacement, prepared))} />
                    <button type="button" class="btn btn-small" onClick={() => props.onRemove(replacement.id)}>
                      {t('scan.keepOld', { n: s.page })}
                    </button>
                  </>
                ) : (
                  <>
                    {s.content_type?.startsWith('image/') ? (
                      <img class="server-thumb" src={`/api/v1/requests/${props.requestId}/scans/${s.id}`} alt={name} loading="lazy" />
                    ) : null}
                    <span class="item-meta">{name}</span>
                  </>
                )}
                <label class="btn btn-small btn-file">
                  <span>{t('scan.replace')}</span>
                  <input
                    type="file"
                    class="sr-only"
                    accept="image/*,application/pdf"
                    aria-label={t('scan.replaceLabel', { n: s.page, doc: r.label })}
                    data-replace={s.id}
                    onChange={(e) => {
                      const input = e.currentTarget as HTMLInputElement;
                      props.onReplace(s.id, input.files);
                      input.value = '';
                    }}
                  />
                </label>
              </li>
            );
          })}
        </ul>
      )}
      {added.length > 0 && (
        <ul class="thumbs">
          {added.map((p) => (
            <li>
              <Thumb blob={p.blob} label={t('scan.page', { n: p.page, doc: r.label })} />
              <QualityBadges flags={p.quality} />
              <ViewButton blob={p.blob} label={t('scan.page', { n: p.page, doc: r.label })} n={p.page} onCrop={props.onCrop && ((prepared) => props.onCrop?.(p, prepared))} />
              <button type="button" class="btn btn-small btn-danger" onClick={() => props.onRemove(p.id)}>
                {t('scan.remove', { n: p.page })}
              </button>
            </li>
          ))}
        </ul>
      )}
      {props.error && (
        <p class="error" role="alert">
          {props.error}
        </p>
      )}
      <div class="row">
        <label class="btn btn-file">
          <span>{added.length || onServer ? t('scan.cameraMore') : t('scan.camera')}</span>
          <input type="file" class="sr-only" accept="image/*" capture="environment" data-req={r.code} data-mode="camera" onChange={picked} />
        </label>
        <label class="btn btn-file">
          <span>{t('scan.pick')}</span>
          <input type="file" class="sr-only" accept="image/*,application/pdf" multiple data-req={r.code} data-mode="file" onChange={picked} />
        </label>
      </div>
    </section>
  );
}
