import { describe, expect, it } from 'vitest';
import { UpstreamBodyError } from '../../../src/datasources/polytomic/errors.js';
import {
  parseActivateBody,
  parseBulkSyncBody,
  parseBulkSyncListBody,
  parseCancelBody,
  parseConnectionBody,
  parseExecutionBody,
  parseExecutionListBody,
} from '../../../src/datasources/polytomic/wire-catalogue.js';

const ID = '5e1a0000-0000-4000-8000-000000000001';

const sync = {
  id: ID,
  name: 'Salesforce → Snowflake',
  active: false,
  mode: 'replicate',
  organization_id: 'org',
  source_connection_id: 'c1',
  destination_connection_id: 'c2',
  source_configuration: { password: 'source-secret' },
  destination_configuration: { token: 'destination-secret' },
  default_schedule: { frequency: 'daily', hour: '4', minute: 30, day_of_week: null },
  created_at: '2026-01-01T00:00:00+02:00',
  updated_at: '2026-02-01T10:00:00Z',
  created_by: { id: 'u1', name: 'Ada', type: 'user' },
  updated_by: null,
};

describe('bulk sync bodies', () => {
  it('reads the fields the gateway serves, and nothing of the configurations', () => {
    const parsed = parseBulkSyncBody(JSON.stringify({ data: sync }), ID);
    expect(parsed).toEqual({
      id: ID,
      name: 'Salesforce → Snowflake',
      active: false,
      mode: 'replicate',
      sourceConnectionId: 'c1',
      destinationConnectionId: 'c2',
      schedule: {
        frequency: 'daily',
        minute: '30',
        hour: '4',
        dayOfWeek: null,
        dayOfMonth: null,
        month: null,
      },
      createdAt: '2025-12-31T22:00:00Z',
      updatedAt: '2026-02-01T10:00:00Z',
      createdBy: { id: 'u1', name: 'Ada', type: 'user' },
      updatedBy: null,
    });
    expect(JSON.stringify(parsed)).not.toMatch(/secret/);
    expect(Object.isFrozen(parsed)).toBe(true);
  });

  it("reads an older API version's `schedule`, and an empty record as the sync asked for", () => {
    const { default_schedule: _, ...older } = sync;
    const parsed = parseBulkSyncBody(
      JSON.stringify({ data: { ...older, id: null, schedule: { frequency: 'hourly' } } }),
      ID,
    );
    expect(parsed.id).toBe(ID);
    expect(parsed.schedule?.frequency).toBe('hourly');
    const bare = parseBulkSyncBody('{"data":{}}', ID);
    expect([bare.name, bare.schedule, bare.mode]).toEqual([null, null, null]);
  });

  it('refuses a body that is not a sync, naming where, never quoting it', () => {
    const failures = ['nope', '{"data":{"name":5}}', '{"status":500,"message":"boom"}', '{}'].map(
      (body) => {
        try {
          parseBulkSyncBody(body, ID);
          return 'parsed';
        } catch (error) {
          return error instanceof UpstreamBodyError ? error.message : String(error);
        }
      },
    );
    expect(failures).toEqual([
      'Polytomic sent a body that is not a bulk sync (not JSON)',
      'Polytomic sent a body that is not a bulk sync (at data.name)',
      'Polytomic sent a body that is not a bulk sync (an error body)',
      'Polytomic sent a body that is not a bulk sync (no data)',
    ]);
  });

  it('reads a listing and its next page token, empty when absent or blank', () => {
    const page = parseBulkSyncListBody(
      JSON.stringify({ data: [sync, { ...sync, id: 'b' }], pagination: { next_page_token: 'n1' } }),
    );
    expect(page.items.map((s) => s.id)).toEqual([ID, 'b']);
    expect(page.nextPageToken).toBe('n1');
    expect(parseBulkSyncListBody('{"data":null}')).toEqual({ items: [], nextPageToken: null });
    expect(
      parseBulkSyncListBody('{"data":[],"pagination":{"next_page_token":""}}').nextPageToken,
    ).toBeNull();
    // A listed sync without an id could not be asked for again: the listing is unreadable.
    expect(() => parseBulkSyncListBody('{"data":[{"name":"x"}]}')).toThrow(UpstreamBodyError);
  });
});

describe('history, connections and actions', () => {
  const execution = { id: 'e1', status: 'completed', record_count: 7, schemas: null };

  it('reads executions as the status does', () => {
    const page = parseExecutionListBody(
      JSON.stringify({ data: [execution], pagination: { next_page_token: 'p2' } }),
    );
    expect(page.items[0]).toMatchObject({
      id: 'e1',
      status: 'completed',
      recordCount: 7,
      schemas: [],
    });
    expect(page.nextPageToken).toBe('p2');
    expect(parseExecutionBody(JSON.stringify({ data: execution })).id).toBe('e1');
    expect(() => parseExecutionBody('{"data":null}')).toThrow(UpstreamBodyError);
  });

  it("reads a connection's type and health, and nothing of its configuration", () => {
    const parsed = parseConnectionBody(
      JSON.stringify({
        data: {
          id: 'c1',
          name: 'Warehouse',
          status: 'healthy',
          status_error: null,
          configuration: { password: 'connection-secret' },
          type: { id: 'snowflake', name: 'Snowflake', logo_url: 'https://logo', operations: [] },
        },
      }),
      'c1',
    );
    expect(parsed).toEqual({
      id: 'c1',
      name: 'Warehouse',
      type: 'snowflake',
      typeName: 'Snowflake',
      logoUrl: 'https://logo',
      status: 'healthy',
      statusError: null,
    });
    expect(JSON.stringify(parsed)).not.toMatch(/secret/);
  });

  it('reads the answers of cancel and activate', () => {
    expect(parseCancelBody('{"data":{"message":"queued"}}')).toEqual({ message: 'queued' });
    expect(parseActivateBody(`{"data":{"id":"${ID}","active":false}}`)).toEqual({ active: false });
  });
});
