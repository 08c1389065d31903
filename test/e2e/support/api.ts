import { createHttpApiClient } from '../../../shared/api/http-client';
import type { ApiClient } from '../../../shared/api/operations';

/** The station's API from the test's side, for setting the scene and checking what the UI did. */
export function stationApi(httpUrl: string): ApiClient {
  return createHttpApiClient(httpUrl);
}
