package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	texttemplate "text/template"
)

// The default templates, named as allauth's: <name>_subject.txt,
// <name>_message.txt and <name>_message.html for each message name
// (Names).
//
//go:embed templates
var defaults embed.FS

// Names are the messages the accounts endpoints send.
var Names = []string{"account_already_exists", "email_confirmation", "password_reset"}

// Templates renders messages from the default templates, each replaced by
// the file of the same name in an override folder when there is one.
type Templates struct {
	subject, text map[string]*texttemplate.Template
	html          map[string]*htmltemplate.Template
}

// LoadTemplates parses the templates; dir ("" for none) holds overrides.
// A template that does not parse is an error naming its file.
func LoadTemplates(dir string) (*Templates, error) {
	t := &Templates{subject: map[string]*texttemplate.Template{}, text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	for _, n := range Names {
		for _, f := range []string{n + "_subject.txt", n + "_message.txt", n + "_message.html"} {
			src, from, err := read(dir, f)
			if err != nil {
				return nil, err
			}
			switch {
			case strings.HasSuffix(f, ".html"):
				p, err := htmltemplate.New(f).Option("missingkey=error").Parse(src)
				if err != nil {
					return nil, fmt.Errorf("mail template %s: %v", from, err)
				}
				t.html[n] = p
			default:
				p, err := texttemplate.New(f).Option("missingkey=error").Parse(src)
				if err != nil {
					return nil, fmt.Errorf("mail template %s: %v", from, err)
				}
				if strings.HasSuffix(f, "_subject.txt") {
					t.subject[n] = p
				} else {
					t.text[n] = p
				}
			}
		}
	}
	return t, nil
}

func read(dir, name string) (src, from string, err error) {
	if dir != "" {
		p := filepath.Join(dir, name)
		b, err := os.ReadFile(p)
		if err == nil {
			return string(b), p, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("mail template %s: %v", p, err)
		}
	}
	b, err := defaults.ReadFile("templates/" + name)
	return string(b), "(default) " + name, err
}

// Render builds the message name for to with data.
func (t *Templates) Render(name, to string, data any) (Message, error) {
	subj, ok := t.subject[name]
	if !ok {
		return Message{}, fmt.Errorf("mail: no template %q", name)
	}
	var s, txt, html bytes.Buffer
	if err := subj.Execute(&s, data); err != nil {
		return Message{}, err
	}
	if err := t.text[name].Execute(&txt, data); err != nil {
		return Message{}, err
	}
	if err := t.html[name].Execute(&html, data); err != nil {
		return Message{}, err
	}
	// A subject is one line, as Django's render_mail.
	subject := strings.Join(strings.Fields(s.String()), " ")
	return Message{To: to, Subject: subject, Text: txt.String(), HTML: html.String()}, nil
}
