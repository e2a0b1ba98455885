// What pino-roll takes from date-fns (lib/utils.js), from date-fns's
// per-function files. pino-roll asks for the package's index, which would
// bundle all of date-fns (360 KB) into the daemon, and the daemon keeps its
// bundle's source and top-level closures for as long as it runs.
module.exports = {
  addDays: require('date-fns/addDays').addDays,
  addHours: require('date-fns/addHours').addHours,
  format: require('date-fns/format').format,
  isValid: require('date-fns/isValid').isValid,
  parse: require('date-fns/parse').parse,
};
