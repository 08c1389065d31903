import { errorFromBody } from '../../../shared/api/answers';
import type { BridgeAnswer } from './transport';

/** Turns a bridge answer back into the result, or the ApiError the station raised. */
export function unwrapAnswer<T>(answer: BridgeAnswer<T>): T {
  if ('error' in answer) throw errorFromBody(answer.error);
  return answer.result;
}
