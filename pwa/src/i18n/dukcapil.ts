// The strings of Dukcapil's screens (desk, batches, returns, sasaran import, audit log),
// added to the catalogs when their chunk loads: imported by the chunk's entry
// (screens/dukcapil/index.tsx) and by the modules of it that tests load alone.
import auditEn from './audit.en.json';
import auditId from './audit.id.json';
import dukcapilEn from './dukcapil.en.json';
import dukcapilId from './dukcapil.id.json';
import importEn from './import.en.json';
import importId from './import.id.json';
import { addCatalogs } from './index';

addCatalogs({
  id: { ...dukcapilId, ...importId, ...auditId },
  en: { ...dukcapilEn, ...importEn, ...auditEn },
});
