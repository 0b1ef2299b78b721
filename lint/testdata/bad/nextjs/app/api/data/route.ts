import { NextResponse } from 'next/server';

const cors = { 'Access-Control-Allow-Origin': 'https://app.example.com' };

export async function GET() {
  return NextResponse.json({ items: [] }, { headers: cors });
}

export async function PUT() {
  return NextResponse.json({ saved: true }, { headers: cors });
}
