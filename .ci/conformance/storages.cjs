// The storages the shipped conformance suite runs against, from the installed package: memory,
// SQLite (better-sqlite3, linked), and PostgreSQL when JOURNEY_TEST_PG_URL is set (as in CI).
// Handed the modules, so the ESM test passes ESM entries and the CommonJS test CommonJS ones.
'use strict';

/**
 * @param {{ memoryStorage: Function, sqliteStorage: Function, postgresStorage: Function, Database: any, pg: any }} m
 * @returns {{ storages: Array<{ name: string, factory: () => Promise<any>, options: object }>, end: () => Promise<void> }}
 */
module.exports = function storages({ memoryStorage, sqliteStorage, postgresStorage, Database, pg }) {
  const list = [
    // memory's row damage is a test hook the package does not export: no quarantine cases
    { name: 'memory (installed package)', factory: async () => ({ storage: memoryStorage(), cleanup: async () => {} }), options: { commitMany: true } },
    {
      name: 'sqlite (installed package)',
      factory: async () => {
        const database = new Database(':memory:');
        return {
          storage: sqliteStorage({ database }),
          cleanup: async () => database.close(),
          // a visit that is not a number fails the row checks; removing it fixes the row
          damage: async (id) => void database.prepare(`UPDATE je_enrollments SET data = json_set(data, '$.visits.x', 'one') WHERE id = ?`).run(id),
          fix: async (id) => void database.prepare(`UPDATE je_enrollments SET data = json_remove(data, '$.visits.x') WHERE id = ?`).run(id),
        };
      },
      options: { damage: true, fix: true, commitMany: true },
    },
  ];
  let end = async () => {};
  const url = process.env.JOURNEY_TEST_PG_URL;
  if (url) {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    const prefix = `je_pack_${process.pid}_${Date.now().toString(36)}`;
    let n = 0;
    end = () => pool.end();
    list.push({
      name: 'postgres (installed package)',
      factory: async () => {
        const schema = `${prefix}_${++n}`;
        const storage = postgresStorage({ pool, schema });
        const kept = new Map();
        return {
          storage,
          cleanup: async () => {
            await storage.close();
            await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          },
          damage: async (id) => {
            const { rows } = await pool.query(`SELECT data::text AS data FROM "${schema}".je_enrollments WHERE id = $1`, [id]);
            kept.set(id, rows[0].data);
            await pool.query(`UPDATE "${schema}".je_enrollments SET data = '{"visits": 3}' WHERE id = $1`, [id]);
          },
          fix: async (id) => void (await pool.query(`UPDATE "${schema}".je_enrollments SET data = $2::json WHERE id = $1`, [id, kept.get(id)])),
        };
      },
      options: { damage: true, fix: true, commitMany: true },
    });
  }
  return { storages: list, end };
};
