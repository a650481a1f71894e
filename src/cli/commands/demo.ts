// Placeholder until its issue lands; the owner replaces this file.
import { defineCommand } from '../command';
import { LarderError } from '../../errors';

export default defineCommand({
  meta: { name: 'demo', description: 'not built yet' },
  args: {},
  async run() {
    throw new LarderError('INTERNAL', '"larder demo" is not built yet');
  },
});
