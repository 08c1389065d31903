import type { ApiClient } from '../../../shared/api/operations';
import { type LocalStation, stationClient } from '../../support/station-client';

/**
 * The station's API from the test's side, for setting the scene and checking what the UI did;
 * authenticated with the secret in its data folder, as the technician's CLI is.
 */
export function stationApi(station: LocalStation): ApiClient {
  return stationClient(station);
}
