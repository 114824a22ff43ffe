import { API_ROUTES, type Route } from './api.ts';
import { MEETING_ACTIVITIES_ROUTE } from './meeting-activities.ts';
import { RECORDING_SETTINGS_ROUTE } from './recording-settings.ts';

/** Every `/v2` endpoint the simulator answers, with Zoom's rate-limit label and plan requirement. */
export const ROUTES: readonly Route[] = [...API_ROUTES, MEETING_ACTIVITIES_ROUTE, RECORDING_SETTINGS_ROUTE];
