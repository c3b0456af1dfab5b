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
