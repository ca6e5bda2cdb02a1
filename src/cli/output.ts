// Colours for human output, only on a terminal (and never when NO_COLOR is set): piped output and
// --json stay plain. node:util's styleText knows the ANSI codes; this only decides when to use them.
import { styleText } from 'node:util';

const on = process.stdout.isTTY === true && !process.env.NO_COLOR;
type Style = Parameters<typeof styleText>[0];
const paint = (style: Style) => (s: string) => (on ? styleText(style, s) : s);

export const colour = {
  red: paint('red'),
  green: paint('green'),
  yellow: paint('yellow'),
  dim: paint('dim'),
  bold: paint('bold'),
};
