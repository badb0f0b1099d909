// Package kitchensink is a service that uses every feature of Ward; its
// test drives the generated package over HTTP.
package kitchensink

//go:generate go tool ward generate
