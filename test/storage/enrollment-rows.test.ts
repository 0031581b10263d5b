import { describe, expect, it } from 'vitest';
import { checkRepairedEnrollment, decodeEnrollment, enrollmentColumns } from '../../src/adapters/storage-common/rows.js';
import type { Enrollment } from '../../src/runtime/types.js';
import { enrollment } from '../../src/conformance/fixtures.js';

/** The row of `e` with its `data` JSON changed by `edit`. */
function rowWith(e: Enrollment, edit: (data: Record<string, unknown>) => void) {
  const columns = enrollmentColumns(e);
  const data = JSON.parse(columns.data) as Record<string, unknown>;
  edit(data);
  return { ...columns, data: JSON.stringify(data) };
}

describe('enrollment rows: split variants', () => {
  it('round-trip, keys named like prototype properties as plain keys', () => {
    const variants = JSON.parse('{"__proto__":"A","constructor":"B","prototype":"Holdout"}') as Record<string, string>;
    const e = enrollment({ variants });
    const read = decodeEnrollment(enrollmentColumns(e), 'je_enrollments');
    expect(read).toEqual(e);
    expect(Object.keys(read.variants!)).toEqual(['__proto__', 'constructor', 'prototype']);
    expect(Object.hasOwn(read.variants!, '__proto__')).toBe(true);
    expect(read.variants!['__proto__']).toBe('A');
  });

  it('reads a row without variants (written before splits existed) without the field', () => {
    const read = decodeEnrollment(enrollmentColumns(enrollment()), 'je_enrollments');
    expect(read).not.toHaveProperty('variants');
    expect(JSON.parse(enrollmentColumns(enrollment()).data)).not.toHaveProperty('variants');
  });

  it.each([
    ['null', null, 'data.variants'],
    ['an array', ['A'], 'data.variants'],
    ['a string', 'A', 'data.variants'],
    ['a number label', { split1: 1 }, 'data.variants.split1'],
    ['an empty label', { split1: '' }, 'data.variants.split1'],
    ['a null label', { constructor: null }, 'data.variants.constructor'],
    ['an object label', { split1: { label: 'A' } }, 'data.variants.split1'],
  ])('refuses %s as corrupt-row with the field path', (_, variants, field) => {
    const row = rowWith(enrollment(), (d) => {
      d['variants'] = variants;
    });
    expect(() => decodeEnrollment(row, 'je_enrollments')).toThrow(expect.objectContaining({ code: 'corrupt-row', details: { table: 'je_enrollments', id: 'e1', field } }));
  });

  it('refuses a bad __proto__ label as corrupt-row too', () => {
    const row = { ...enrollmentColumns(enrollment()), data: enrollmentColumns(enrollment()).data.replace(/}$/, ',"variants":{"__proto__":7}}') };
    expect(() => decodeEnrollment(row, 'je_enrollments')).toThrow(expect.objectContaining({ code: 'corrupt-row', details: expect.objectContaining({ field: 'data.variants.__proto__' }) }));
  });

  it('a repaired enrollment with bad variants is refused with the path', () => {
    const bad = enrollment({ variants: { split1: 5 as unknown as string } });
    expect(() => checkRepairedEnrollment(bad)).toThrow(expect.objectContaining({ code: 'invalid-request', path: ['enrollment', 'variants', 'split1'] }));
  });
});
