import { z } from 'zod';

/** An EPCIS document as JSON-LD; its shape is GS1's schema (validated in the tests), documented here loosely. */
export const EpcisDocumentSchema = z
  .object({
    '@context': z.array(z.string()),
    type: z.enum(['EPCISDocument', 'EPCISQueryDocument']),
    schemaVersion: z.string(),
    creationDate: z.string(),
    epcisBody: z.record(z.string(), z.unknown()),
  })
  .catchall(z.unknown());

const COLLECTION_EVENT = {
  type: 'ObjectEvent',
  eventTime: '2025-03-10T09:30:00+01:00',
  eventTimeZoneOffset: '+01:00',
  recordTime: '2025-03-10T08:31:02.114Z',
  eventID: 'urn:textile-ledger:event:0195a0c2-7d1e-7c3a-9a10-3b1f2e4d5c6a',
  'tl:recordedBy': 'urn:textile-ledger:organisation:0195a0b1-1111-7000-8000-000000000001',
  action: 'ADD',
  bizStep: 'commissioning',
  disposition: 'active',
  quantityList: [{ epcClass: 'urn:textile-ledger:batch:0195a0c2-7d1e-7c3a-9a10-000000000001', quantity: 412.5, uom: 'KGM' }],
  destinationList: [
    { type: 'possessing_party', destination: 'urn:textile-ledger:organisation:0195a0b1-1111-7000-8000-000000000002' },
    { type: 'owning_party', destination: 'urn:textile-ledger:organisation:0195a0b1-1111-7000-8000-000000000002' },
  ],
  ilmd: { 'tl:originClass': 'post-consumer-household', 'tl:kommune': '0657', 'tl:collectionScheme': 'bring-bank', 'tl:ewcCode': '20 01 11' },
};

export const EPCIS_DOCUMENT_EXAMPLE = {
  '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', 'https://ledger.example.org/epcis/context/v1.jsonld'],
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2025-04-01T10:00:00.000Z',
  epcisBody: { eventList: [COLLECTION_EVENT] },
};

export const EPCIS_QUERY_DOCUMENT_EXAMPLE = {
  '@context': EPCIS_DOCUMENT_EXAMPLE['@context'],
  type: 'EPCISQueryDocument',
  schemaVersion: '2.0',
  creationDate: '2025-04-01T10:00:00.000Z',
  epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: [COLLECTION_EVENT] } } },
};

export const LedgerContextSchema = z.object({ '@context': z.record(z.string(), z.unknown()) }).catchall(z.unknown());

export const LEDGER_CONTEXT_EXAMPLE = {
  '@context': { '@version': 1.1, tl: 'https://textile-ledger.org/epcis/v1#', kommune: { '@id': 'tl:kommune' } },
};
