// Placeholder until its issue lands; the owner replaces this file.
import { defineCommand } from '../command';
import { LarderError } from '../../errors';

export default defineCommand({
  meta: { name: 'start', description: 'not built yet' },
  args: {},
  async run() {
    throw new LarderError('INTERNAL', '"larder start" is not built yet');
  },
});
