"use client";
import "highlight.js/styles/github.css";
import { memo } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";
import { CopyButton } from "../../_components/copy-button";

/** The parts of a syntax-tree node that hold text; highlighting splits code into nested spans. */
interface TextNode {
  type: string;
  value?: string;
  children?: TextNode[];
}

const textOf = (node: TextNode | undefined): string => (node ? (node.value ?? "") + (node.children ?? []).map(textOf).join("") : "");

const components: Components = {
  // Links in replies open beside the chat, never in place of it.
  a: ({ node: _node, ...props }) => <a {...props} target="_blank" rel="noreferrer noopener" />,
  // The code as written, not as highlighted: read from the syntax tree, not from the page.
  pre: ({ node, ...props }) => {
    const code = textOf(node as TextNode | undefined).replace(/\n$/, "");
    return (
      <div className="code-block" data-testid="code-block">
        <CopyButton text={code} label="Copy code" className="code-copy" testId="copy-code" />
        <pre {...props} />
      </div>
    );
  },
};

/** A reply rendered as GitHub-flavoured Markdown with highlighted code blocks. Raw HTML is not rendered. */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={[remarkGfm]} rehypePlugins={[[rehypeHighlight, { detect: false }]]} components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
});
