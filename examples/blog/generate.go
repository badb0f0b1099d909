// Package blog is Ward's reference service; see api.yaml.
package blog

//go:generate go tool ward generate
