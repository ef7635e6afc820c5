import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCppDouble } from '../../../../server/src/engine/nix/cppDouble';

test('floats print as a C++ ostream prints them (as nix-instantiate --parse shows them, Nix 2.8)', () => {
  // [ 1234565.0 1234575.0 0.0001 0.00001 1.0e20 123456.7 100.0 0.1 1.7976931348623157e308 999999.5 0.000123456789 2.5 0.5e1 ]
  // printed by Nix: [ (1.23456e+06) (1.23458e+06) (0.0001) (1e-05) (1e+20) (123457) (100) (0.1) (1.79769e+308) (1e+06) (0.000123457) (2.5) (5) ]
  const cases: [number, string][] = [
    [1234565.0, '1.23456e+06'], // an exact tie: to even
    [1234575.0, '1.23458e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.0e20, '1e+20'],
    [123456.7, '123457'],
    [100.0, '100'],
    [0.1, '0.1'],
    [1.7976931348623157e308, '1.79769e+308'],
    [999999.5, '1e+06'],
    [0.000123456789, '0.000123457'],
    [2.5, '2.5'],
    [0.5e1, '5'],
    [0, '0'],
    [Infinity, 'inf'],
  ];
  for (const [value, printed] of cases) assert.equal(formatCppDouble(value), printed, String(value));
});
