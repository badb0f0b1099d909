// Package shop is Ward's second reference service; see api.yaml.
package shop

//go:generate go tool ward generate
