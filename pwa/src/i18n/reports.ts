// The strings of the overseer's reports screen (#19), added to the catalogs when its chunk
// loads (screens/reports.tsx): no other role's first load carries them.
import { addCatalogs } from './index';
import reportsEn from './reports.en.json';
import reportsId from './reports.id.json';

addCatalogs({ id: reportsId, en: reportsEn });
