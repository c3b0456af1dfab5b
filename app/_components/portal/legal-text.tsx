/** An administrator's text, paragraph by paragraph and line by line, as React text: no HTML of theirs reaches the page. */
export function LegalText({ paragraphs }: { paragraphs: string[][] }) {
  return (
    <>
      {paragraphs.map((lines, i) => (
        <p key={i}>
          {lines.map((line, j) => (
            <span key={j}>
              {j > 0 ? <br /> : null}
              {line}
            </span>
          ))}
        </p>
      ))}
    </>
  );
}

/** The town hall's address, phone and e-mail, as far as the tenant gave them. */
export function ContactDetails({ contact }: { contact: { address?: string; phone?: string; email?: string; hours?: string } }) {
  if (!contact.address && !contact.phone && !contact.email) return null;
  return (
    <address className="contact-card">
      {contact.address ? <p>{contact.address}</p> : null}
      {contact.phone ? (
        <p>
          Téléphone : <a href={`tel:${contact.phone.replace(/\s/g, '')}`}>{contact.phone}</a>
        </p>
      ) : null}
      {contact.email ? (
        <p>
          Courriel : <a href={`mailto:${contact.email}`}>{contact.email}</a>
        </p>
      ) : null}
    </address>
  );
}
