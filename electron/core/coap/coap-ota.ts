/**
 * OTA download over CoAP: the assigned package's bytes, sliced by `size`/`chunk` as
 * ThingsBoard does, then cut by Block2 in the block size the device asks for. Past the end:
 * 2.05 with no payload (ThingsBoard sends nothing and lets the device time out). Every block
 * moves the execution's byte progress.
 */
import type { IncomingMessage } from 'coap';

import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import type { DeviceCaller, DeviceService } from '../device-api/device-service';
import { answer, answerRefusal } from './coap-answer';
import { etagOf, type RequestedBlock, sendBody } from './coap-body';
import type { CoapResponse } from './coap-server';
import { otaSlice, parseOtaQuery } from './ota-query';

export class CoapOta {
  constructor(private readonly service: DeviceService) {}

  async serve(
    req: IncomingMessage,
    res: CoapResponse,
    caller: DeviceCaller,
    type: OtaPackageType,
    block: Extract<RequestedBlock, { ok: true }>,
    query: ReadonlyMap<string, string>,
  ): Promise<void> {
    if (req.method !== 'GET') {
      const what = type === 'FIRMWARE' ? 'Firmware' : 'Software';
      this.service.refuse(caller, 'bad-request', 'coap-bad-method', `${what} is read with GET`);
      return answer(res, '4.05');
    }
    const parsed = parseOtaQuery(query);
    if (!parsed.ok) {
      const message = `OTA download: ${parsed.reason}`;
      return answerRefusal(
        res,
        this.service.refuse(caller, 'bad-request', 'bad-chunk-size', message),
      );
    }
    const { title, version, size, chunk } = parsed.query;
    const opened = await this.service.openDownload(caller, type, {
      ...(title !== undefined && { title }),
      ...(version !== undefined && { version }),
    });
    if (!opened.ok) return answerRefusal(res, opened);
    const download = opened.value;
    const slice = otaSlice({ title, version, size, chunk }, download.size);
    const sent = await sendBody(res, block.block, {
      length: slice.end - slice.start,
      read: (start, end) => download.read(slice.start + start, end - start),
      etag: etagOf(download.packageId, `:${slice.start}:${slice.end}`),
    });
    const end = slice.start + (sent ? sent.end : slice.end - slice.start);
    if (end > slice.start) download.served(end);
  }
}
